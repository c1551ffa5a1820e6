import type { EnforceStep, Instruments } from '../domain/instruments';
import { NO_INSTRUMENTS } from '../domain/instruments';
import type { Metrics } from './metrics';
import type { CallTracer } from './tracing';

const SPAN_NAMES: Record<EnforceStep, string> = {
  classify: 'btv.classify',
  decide: 'btv.decide',
  'ledger.commit': 'btv.ledger.commit',
};

/** The domain's Instruments port over metrics and/or traces; the no-op one when both are off. */
export function domainInstruments(metrics: Metrics | undefined, tracer: CallTracer | undefined): Instruments {
  if (!metrics && !tracer) return NO_INSTRUMENTS;
  const traced = <T>(step: EnforceStep, fn: () => T): T => (tracer ? tracer.step(SPAN_NAMES[step], fn) : fn());
  return {
    step: (step, fn) => {
      // Only classification has a histogram here: the commit's is measured per batch by the writer.
      if (step !== 'classify' || !metrics) return traced(step, fn);
      const started = performance.now();
      const out = traced(step, fn);
      metrics.classified((performance.now() - started) / 1000);
      return out;
    },
    decision: (tenantId, outcome, domain, env) => metrics?.decision(tenantId, outcome, domain, env),
    ledgerVerifyFailed: (tenantId, problem) => metrics?.ledgerVerifyFailed(tenantId, problem),
  };
}
