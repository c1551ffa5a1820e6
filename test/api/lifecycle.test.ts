import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { service as healthService } from 'grpc-health-check';
import { AiSystem, RiskClassification } from '../../gen/ts/btv/v1/types';
import { mintToken } from '../../src/auth/tokens';
import { bearer, call, connect } from '../helpers/grpc';
import { runToExit, spawnServer } from '../helpers/process';
import { TEST_DATABASE_URL } from '../helpers/server';

const HealthClient = grpc.makeGenericClientConstructor(healthService, 'Health');

function healthCheck(address: string, svc = ''): Promise<string> {
  const client = new HealthClient(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (x: object) => healthService.Check.requestSerialize(x),
      (b: Buffer) => healthService.Check.responseDeserialize(b) as { status: string },
      { service: svc },
      (err: grpc.ServiceError | null, res?: { status: string }) => {
        client.close();
        return err ? reject(err) : resolve(res!.status);
      },
    ),
  );
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'btv-proc-'));
const dbEnv = (): Record<string, string> => (TEST_DATABASE_URL ? { BTV_DATABASE_URL: TEST_DATABASE_URL } : {});

describe('server process', function () {
  this.timeout(90_000);

  it('persists registrations across a restart and shuts down gracefully on SIGTERM', async () => {
    const dataDir = tmp();
    const secret = crypto.randomBytes(40).toString('hex');
    const env = { BTV_DATA_DIR: dataDir, BTV_JWT_SECRET: secret, ...dbEnv() };
    const tenantId = crypto.randomUUID();
    const token = mintToken({
      tenantId,
      role: 'admin',
      subject: 'ops',
      ttlSeconds: 300,
      algorithm: 'HS256',
      key: crypto.createSecretKey(Buffer.from(secret)),
    });

    const first = await spawnServer(env);
    let c = connect(`127.0.0.1:${first.port}`);
    expect(await healthCheck(`127.0.0.1:${first.port}`)).to.equal('SERVING');
    expect(await healthCheck(`127.0.0.1:${first.port}`, 'btv.v1.GovernanceService')).to.equal('SERVING');
    await call(
      c.governance,
      c.governance.registerSystem,
      {
        system: AiSystem.fromPartial({
          id: 'persisted',
          name: 'Persisted',
          risk: RiskClassification.RISK_CLASSIFICATION_MINIMAL,
        }),
      },
      bearer(token),
    );
    c.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).to.equal(0);
    expect(first.stdout()).to.contain('"msg":"shutting down"');
    // One structured line per call, never the token.
    const callLine = first
      .stdout()
      .split('\n')
      .find((l) => l.startsWith('{') && l.includes('RegisterSystem'));
    expect(JSON.parse(callLine!)).to.include({
      method: '/btv.v1.GovernanceService/RegisterSystem',
      code: 'OK',
      tenant: tenantId,
      role: 'admin',
    });
    expect(first.stdout() + first.stderr()).not.to.contain(token.split('.')[2]);
    expect(first.stdout() + first.stderr()).not.to.contain(secret);
    // A supplied secret may be a real one: no admin token signed with it is printed, even in development.
    expect(first.stdout())
      .to.contain('serving on localhost:')
      .and.not.to.match(/export TOKEN=/);

    const second = await spawnServer(env);
    c = connect(`127.0.0.1:${second.port}`);
    const { system } = await call(c.governance, c.governance.getSystem, { systemId: 'persisted' }, bearer(token));
    expect(system!.name).to.equal('Persisted');
    c.close();
    second.child.kill('SIGINT');
    expect(await second.exited).to.equal(0);
  });

  it('in development creates a secret, keeps it, and prints a working admin token and grpcurl lines', async () => {
    const dataDir = tmp();
    const proc = await spawnServer({ BTV_DATA_DIR: dataDir, ...dbEnv() });
    await new Promise((r) => setTimeout(r, 300));
    const out = proc.stdout();
    const token = /export TOKEN=(\S+)/.exec(out)?.[1];
    expect(token, out).to.be.a('string');
    expect(out).to.match(/grpcurl -plaintext .*btv\.v1\.GovernanceService\/RegisterSystem/);
    expect(out).to.match(/grpcurl -plaintext .*btv\.v1\.GovernanceService\/GetSystem/);
    expect(fs.statSync(path.join(dataDir, 'jwt-secret')).mode & 0o777).to.equal(0o600);
    const c = connect(`127.0.0.1:${proc.port}`);
    const r = await call(
      c.governance,
      c.governance.registerSystem,
      {
        system: AiSystem.fromPartial({
          id: 'credit-scoring',
          name: 'Credit Scoring',
          risk: RiskClassification.RISK_CLASSIFICATION_HIGH,
          loggingEnabled: true,
        }),
      },
      bearer(token),
    );
    expect(r.status).to.equal('registered');
    c.close();
    proc.child.kill('SIGTERM');
    expect(await proc.exited).to.equal(0);
  });

  it('refuses to start with a bad rule file, naming the file and the field', async () => {
    const dir = tmp();
    const src = path.resolve(__dirname, '../../config');
    fs.cpSync(src, dir, { recursive: true });
    const policy = path.join(dir, 'policy.yaml');
    fs.writeFileSync(policy, fs.readFileSync(policy, 'utf8').replace('grey_band: 1.0', 'grey_band: lots'));
    const { code, output } = await runToExit({ BTV_DATA_DIR: tmp(), BTV_CONFIG_DIR: dir });
    expect(code).to.equal(2);
    expect(output).to.contain(`${policy}: grey_band must be a number`);
  });

  const refusals: [string, Record<string, string>, RegExp][] = [
    ['no secret', {}, /BTV_JWT_SECRET is required in production/],
    ['a 31-byte secret', { BTV_JWT_SECRET: 'x'.repeat(31) }, /at least 32 bytes/],
    ['an unknown BTV_ENV', { BTV_ENV: 'staging' }, /BTV_ENV must be/],
  ];
  for (const [what, env, message] of refusals) {
    it(`refuses to start in production with ${what}`, async () => {
      const { code, output } = await runToExit({ BTV_ENV: 'production', BTV_DATA_DIR: tmp(), ...env });
      expect(code).to.equal(2);
      expect(output).to.match(message);
      expect(output).not.to.match(/\n\s+at /); // a message, not a stack trace
    });
  }
});
