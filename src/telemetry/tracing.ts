import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type * as grpc from '@grpc/grpc-js';
import type { Context, Span, TextMapGetter, Tracer } from '@opentelemetry/api';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const SERVICE_NAME = 'btv-grpc';

/**
 * The pg instrumentation patches `pg` as it is required: it must be registered before anything
 * loads pg (main.ts imports ./preload first). Spans only under a call's span, so the status
 * listener, pruning and checkpoints do not each start a trace of their own.
 */
export function instrumentPg(): void {
  registerInstrumentations({ instrumentations: [new PgInstrumentation({ requireParentSpan: true })] });
}

const metadataGetter: TextMapGetter<grpc.Metadata> = {
  keys: (md) => Object.keys(md.getMap()),
  get: (md, key) => {
    const v = md.get(key);
    return v.length === 0 ? undefined : v.map(String);
  },
};

/** gRPC codes that mark a server span as failed (OpenTelemetry's gRPC conventions): the caller's faults do not. */
const SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

/** A call's span, active for everything the call runs. */
export interface CallSpan {
  readonly traceId: string;
  readonly context: Context;
  end(code: number, codeName: string): void;
}

/** One span per gRPC call, a child of the caller's `traceparent` metadata when it sent one. */
export class CallTracer {
  constructor(private readonly tracer: Tracer) {}

  start(path: string, metadata: grpc.Metadata): CallSpan {
    // Only the W3C headers are taken from the caller: its baggage is not ours to keep.
    const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
    const [service, method] = path.slice(1).split('/');
    const span: Span = this.tracer.startSpan(
      path.slice(1),
      { kind: SpanKind.SERVER, attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method } },
      parent,
    );
    return {
      traceId: span.spanContext().traceId,
      context: trace.setSpan(parent, span),
      end: (code, codeName) => {
        span.setAttribute('rpc.grpc.status_code', code);
        if (SERVER_ERRORS.has(code)) span.setStatus({ code: SpanStatusCode.ERROR, message: codeName });
        span.end();
      },
    };
  }

  /** Runs fn in a child span of the active one; a promise ends the span when it settles. */
  step<T>(name: string, fn: () => T): T {
    return this.tracer.startActiveSpan(name, (span) => {
      let out: T;
      try {
        out = fn();
      } catch (e) {
        failed(span, e);
        throw e;
      }
      if (out instanceof Promise) {
        return out.then(
          (v) => {
            span.end();
            return v;
          },
          (e) => {
            failed(span, e);
            throw e;
          },
        ) as T;
      }
      span.end();
      return out;
    });
  }
}

function failed(span: Span, e: unknown): void {
  // The error's class only: messages may quote the caller's input.
  span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.constructor?.name ?? 'error' });
  span.end();
}

export interface Tracing {
  calls: CallTracer;
  /** Sends what is buffered, then stops exporting. */
  shutdown(): Promise<void>;
}

/** The SDK for this process: spans batched and POSTed to url as OTLP/HTTP JSON; W3C trace context. */
export function startTracing(url: string): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE_NAME }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  // Global: the context manager that carries a call's span across awaits, the W3C propagator, and
  // the provider the pg instrumentation reports to. Our own spans use this provider directly.
  // W3C trace context only: the default would also take in (and pass on) the caller's baggage.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return { calls: new CallTracer(provider.getTracer(SERVICE_NAME)), shutdown: () => provider.shutdown() };
}

/** Runs fn with ctx as the active context (the call's span). */
export const withContext = <T>(ctx: Context, fn: () => T): T => context.with(ctx, fn);
