/**
 * Imported by main.ts before anything else. The pg instrumentation hooks require(), so it is put in
 * place here, before the database code loads pg; the variables are read directly because config
 * is loaded later (it reads the same ones into config.telemetry, which starts the exporter).
 */
import { instrumentPg } from './tracing';

if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) instrumentPg();
