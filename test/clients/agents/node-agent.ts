/** Test agent for clients/node (protocol: README.md beside this file). */
import * as readline from 'node:readline';
import { BuildToValueError, Client } from '../../../clients/node/src';

let client: Client | undefined;
const out = (a: unknown) => process.stdout.write(`${JSON.stringify(a)}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON command from the test driver, read field by field
type Cmd = Record<string, any>;

async function handle(c: Cmd): Promise<unknown> {
  switch (c.op) {
    case 'open':
      client = new Client(c.target, c.token, { timeoutMs: c.timeout_ms });
      return { ok: true };
    case 'watch':
      client!.watch(c.system_ids ?? []);
      return { ok: true };
    case 'enforce':
      try {
        const r = await client!.enforce(c.system_id, c.env, { prompt: c.prompt, messages: c.messages });
        return { ok: true, outcome: r.outcome, allowed: r.allowed, reason: r.reason, source: r.source, decision_id: r.decision.decisionId };
      } catch (e) {
        if (!(e instanceof BuildToValueError)) throw e;
        return { ok: false, code: e.codeName, reason: e.reason, fields: e.fieldViolations.map((v) => v.field) };
      }
    case 'wait_status': {
      const until = Date.now() + c.timeout_ms;
      for (;;) {
        const s = client!.status(c.system_id);
        if (s && s.operationalStatus === c.status) return { ok: true, status: s.operationalStatus, phase: s.lifecyclePhase, revision: s.revision };
        if (Date.now() > until) return { ok: false, error: 'timeout', status: s?.operationalStatus ?? null };
        await sleep(1);
      }
    }
    case 'state': {
      const s = client!.watchState;
      return { ok: true, connected: s?.connected ?? false, revision: s?.revision ?? 0, reconnects: s?.reconnects ?? 0 };
    }
    case 'close':
      client?.close();
      return { ok: true };
    default:
      return { ok: false, error: `unknown op ${c.op}` };
  }
}

// Commands are answered one at a time, in order.
const rl = readline.createInterface({ input: process.stdin });
let chain = Promise.resolve();
rl.on('line', (line) => {
  chain = chain.then(async () => {
    out(await handle(JSON.parse(line) as Cmd));
  });
});
rl.on('close', () => {
  void chain.then(() => {
    client?.close();
    process.exit(0);
  });
});
