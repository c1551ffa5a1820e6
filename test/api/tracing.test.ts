import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { AiSystem, DecisionOutcome as DO, RiskClassification as RC } from '../../gen/ts/btv/v1/types';
import { mintToken } from '../../src/auth/tokens';
import type { Role } from '../../src/domain/context';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect } from '../helpers/grpc';
import type { ServerProcess } from '../helpers/process';
import { spawnServer } from '../helpers/process';
import { TEST_DATABASE_URL } from '../helpers/server';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes?: { key: string; value: Record<string, unknown> }[];
  scope: string;
}

/**
 * A minimal OTLP/HTTP collector: takes JSON export requests on /v1/traces (the body the OTLP
 * exporter sends; content type application/json) and keeps every span with its scope's name.
 */
async function otlpReceiver(): Promise<{
  url: string;
  spans: OtlpSpan[];
  requests: { path: string; contentType: string }[];
  close(): Promise<void>;
}> {
  const spans: OtlpSpan[] = [];
  const requests: { path: string; contentType: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: String(req.headers['content-type']) });
      if (
        req.method !== 'POST' ||
        req.url !== '/v1/traces' ||
        !String(req.headers['content-type']).startsWith('application/json')
      ) {
        res.writeHead(415).end();
        return;
      }
      const doc = JSON.parse(body) as {
        resourceSpans: { scopeSpans: { scope: { name: string }; spans: Omit<OtlpSpan, 'scope'>[] }[] }[];
      };
      for (const rs of doc.resourceSpans)
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, scope: ss.scope.name });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

async function until<T>(what: string, get: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The server's "call" log line for a method (JSON, one a line), the last one. */
const callLine = (stdout: string, method: string): Record<string, unknown> | undefined =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'call' && l.method === method)
    .pop();

describe('OpenTelemetry traces over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT)', function () {
  this.timeout(90_000);
  const secret = crypto.randomBytes(48).toString('base64url');
  const tenantId = crypto.randomUUID();
  const mint = (role: Role) =>
    mintToken({
      tenantId,
      role,
      subject: `t-${role}`,
      ttlSeconds: 600,
      algorithm: 'HS256',
      key: crypto.createSecretKey(Buffer.from(secret)),
    });
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let proc: ServerProcess;
  let c: Clients;

  before(async () => {
    receiver = await otlpReceiver();
    proc = await spawnServer(
      {
        BTV_DATABASE_URL: TEST_DATABASE_URL,
        BTV_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'btv-otel-')),
        BTV_JWT_SECRET: secret,
        BTV_CHECKPOINT_INTERVAL_MS: '0',
        BTV_SHUTDOWN_DRAIN_DELAY_MS: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // Export within a fifth of a second rather than the SDK's 5 s.
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      60_000,
    );
    c = connect(`127.0.0.1:${proc.port}`);
    await call(
      c.governance,
      c.governance.registerSystem,
      { system: AiSystem.fromPartial({ id: 'tr-1', name: 'tr', risk: RC.RISK_CLASSIFICATION_MINIMAL }) },
      bearer(mint('dev')),
    );
  });

  after(async () => {
    c?.close();
    proc?.child.kill('SIGTERM');
    await proc?.exited;
    await receiver?.close();
  });

  it("joins the caller's traceparent: the Enforce span is its child, with classify, decide, ledger commit and pg spans under it, and the trace id in the call's log line", async () => {
    const traceId = crypto.randomBytes(16).toString('hex');
    const callerSpan = crypto.randomBytes(8).toString('hex');
    const md = bearer(mint('app'));
    md.set('traceparent', `00-${traceId}-${callerSpan}-01`);
    const r = await call(
      c.governance,
      c.governance.enforce,
      {
        systemId: 'tr-1',
        prompt: 'Summarise the mortgage standard terms for a first-time buyer.',
        env: 'production',
        artifactType: '',
        messages: [],
      },
      md,
    );
    expect(r.decision!.outcome).to.equal(DO.DECISION_OUTCOME_APPROVED);

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const root = await until('the Enforce span', () =>
      inTrace().find((s) => s.name === 'btv.v1.GovernanceService/Enforce'),
    );
    expect(root.parentSpanId).to.equal(callerSpan);
    expect(root.kind).to.equal(2); // SPAN_KIND_SERVER
    expect(attr(root, 'rpc.system')).to.equal('grpc');
    expect(attr(root, 'rpc.method')).to.equal('Enforce');
    expect(Number(attr(root, 'rpc.grpc.status_code'))).to.equal(0);
    for (const name of ['btv.classify', 'btv.decide', 'btv.ledger.commit']) {
      const step = await until(name, () => inTrace().find((s) => s.name === name));
      expect(step.parentSpanId, name).to.equal(root.spanId);
    }
    // The pg instrumentation's spans join the call's trace (the status and spec reads at least).
    const pg = await until('pg spans', () => {
      const found = inTrace().filter((s) => s.scope === '@opentelemetry/instrumentation-pg');
      return found.length ? found : undefined;
    });
    expect(
      pg.every((s) => attr(s, 'db.system') === 'postgresql' || attr(s, 'db.system.name') === 'postgresql'),
    ).to.equal(true);
    // No statement parameters go out with them: the prompt never leaves the process in a span.
    expect(JSON.stringify(receiver.spans)).not.to.include('mortgage');

    const line = await until('the call log line', () => callLine(proc.stdout(), '/btv.v1.GovernanceService/Enforce'));
    expect(line.trace_id).to.equal(traceId);
    expect(receiver.requests.every((q) => q.path === '/v1/traces')).to.equal(true);
  });

  it('starts a new trace for a call without traceparent; an error of the caller (NOT_FOUND) is recorded on the span without marking it failed', async () => {
    const before = receiver.spans.length;
    const err = await call(
      c.governance,
      c.governance.getSystem,
      { systemId: 'no-such-system' },
      bearer(mint('dev')),
    ).catch((e: grpc.ServiceError) => e);
    expect((err as grpc.ServiceError).code).to.equal(grpc.status.NOT_FOUND);
    const span = await until('the GetSystem span', () =>
      receiver.spans.slice(before).find((s) => s.name === 'btv.v1.GovernanceService/GetSystem'),
    );
    expect(span.parentSpanId ?? '').to.equal('');
    expect(span.traceId).to.match(/^[0-9a-f]{32}$/);
    // NOT_FOUND is the caller's answer, not a server fault: the span is not an error.
    expect(Number(attr(span, 'rpc.grpc.status_code'))).to.equal(grpc.status.NOT_FOUND);
    expect(span.status?.code ?? 0).not.to.equal(2); // STATUS_CODE_ERROR
    expect(callLine(proc.stdout(), '/btv.v1.GovernanceService/GetSystem')!.trace_id).to.equal(span.traceId);
  });
});
