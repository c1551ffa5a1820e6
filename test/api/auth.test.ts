// Authentication and authorization through the real server (port 0): every
// way a bearer token can be wrong, answered with the code AND the ErrorInfo
// reason of the contract; then the role matrix of API.md, walked over every
// method of every service descriptor; then RS256 and the HS/RS confusion attack.
import { execFile } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { AuditServiceService } from '../../gen/ts/btv/v1/audit';
import type { ListSystemsRequest, ListSystemsResponse } from '../../gen/ts/btv/v1/governance';
import { GovernanceServiceService } from '../../gen/ts/btv/v1/governance';
import { OperationsServiceService } from '../../gen/ts/btv/v1/operations';
import { ErrorInfo } from '../../gen/ts/google/rpc/error_details';
import { Status } from '../../gen/ts/google/rpc/status';
import { ROLE_RULES } from '../../src/auth/roles';
import { mintToken } from '../../src/auth/tokens';
import { TokenVerifier } from '../../src/auth/verifier';
import type { Role } from '../../src/domain/context';
import { DomainError } from '../../src/domain/errors';
import type { Clients } from '../helpers/grpc';
import { bearer, call, connect, expectError } from '../helpers/grpc';
import type { TestServer } from '../helpers/server';
import { startTestServer } from '../helpers/server';

const ROLES: Role[] = ['admin', 'dev', 'auditor', 'app'];
const SERVICES = { GovernanceServiceService, OperationsServiceService, AuditServiceService };

/**
 * API.md "Authentication and roles", written out by hand: this is the contract,
 * deliberately not derived from ROLE_RULES.
 */
const CONTRACT: Record<string, Role[]> = {
  '/btv.v1.GovernanceService/RegisterTenant': ['admin'],
  '/btv.v1.GovernanceService/GetTenant': ['admin'],
  '/btv.v1.GovernanceService/RegisterSystem': ['admin', 'dev'],
  '/btv.v1.GovernanceService/GetSystem': ['admin', 'dev', 'auditor'],
  '/btv.v1.GovernanceService/ListSystems': ['admin', 'dev', 'auditor'],
  '/btv.v1.GovernanceService/Enforce': ['admin', 'dev', 'app'],
  '/btv.v1.OperationsService/EmergencyStop': ['admin'],
  '/btv.v1.OperationsService/SetOperationalStatus': ['admin', 'dev'],
  '/btv.v1.OperationsService/SetLifecyclePhase': ['admin', 'dev'],
  '/btv.v1.OperationsService/GetOperationalStatus': ['admin', 'dev', 'auditor', 'app'],
  '/btv.v1.OperationsService/WatchSystemStatus': ['admin', 'dev', 'auditor', 'app'],
  '/btv.v1.AuditService/GetComplianceReport': ['admin', 'auditor'],
  '/btv.v1.AuditService/GetComplianceStatistics': ['admin', 'auditor'],
  '/btv.v1.AuditService/ListPendingReviews': ['admin', 'auditor'],
  '/btv.v1.AuditService/ListLedgerEntries': ['admin', 'auditor'],
  '/btv.v1.AuditService/VerifyLedger': ['admin', 'auditor'],
  '/btv.v1.AuditService/ResolveReview': ['admin'],
  // Added with the signed ledger: reads of the audit trail, like the other AuditService reads.
  '/btv.v1.AuditService/CreateLedgerCheckpoint': ['admin', 'auditor'],
  '/btv.v1.AuditService/ListLedgerCheckpoints': ['admin', 'auditor'],
  // API.md, "Rollout": admin, auditor.
  '/btv.v1.AuditService/GetPolicyImpact': ['admin', 'auditor'],
  // API.md "Proofs": admin, auditor.
  '/btv.v1.AuditService/GetInclusionProof': ['admin', 'auditor'],
  '/btv.v1.AuditService/GetConsistencyProof': ['admin', 'auditor'],
};

type AnyMethod = grpc.MethodDefinition<unknown, unknown>;

const allMethods = (): AnyMethod[] =>
  Object.values(SERVICES).flatMap((def) => Object.values(def) as unknown as AnyMethod[]);

const now = () => Math.floor(Date.now() / 1000);
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** The default BTV_JWT_MAX_LIFETIME_S: 90 days. */
const MAX_LIFETIME_S = 7_776_000;
const HS256_HEADER = '{"alg":"HS256","typ":"JWT"}';

/** A hand-built JWT: any header, any payload, an HMAC-SHA256 signature with any key (or none). */
function handMade(header: object, payload: object, hmacKey?: string | Buffer): string {
  return handMadeRaw(JSON.stringify(header), JSON.stringify(payload), hmacKey);
}

/** handMade from JSON text: for what JSON.stringify cannot write (a key twice, 1e400). */
function handMadeRaw(header: string, payload: string, hmacKey?: string | Buffer): string {
  const signingInput = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  const sig =
    hmacKey === undefined ? '' : crypto.createHmac('sha256', hmacKey).update(signingInput).digest('base64url');
  return `${signingInput}.${sig}`;
}

/** Calls any method with an empty request (zero bytes is the default message); rejects with the ServiceError. */
function invoke(client: grpc.Client, m: AnyMethod, md: grpc.Metadata): Promise<'OK' | 'OPEN'> {
  const empty = () => Buffer.alloc(0);
  if (!m.responseStream) {
    return new Promise((resolve, reject) => {
      client.makeUnaryRequest(m.path, empty, m.responseDeserialize, {}, md, (err) =>
        err ? reject(err) : resolve('OK'),
      );
    });
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const stream = client.makeServerStreamRequest(m.path, empty, m.responseDeserialize, {}, md);
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    // An authorization failure comes back at once; a stream still open after a
    // while got past the interceptor (a watch may legitimately stay open).
    const timer = setTimeout(() => settle(() => (stream.cancel(), resolve('OPEN'))), 1000);
    stream.on('data', () => settle(() => (stream.cancel(), resolve('OPEN'))));
    stream.on('error', (err: grpc.ServiceError) => settle(() => reject(err)));
    stream.on('status', (s: grpc.StatusObject) =>
      settle(() => (s.code === grpc.status.OK ? resolve('OK') : reject(s))),
    );
  });
}

/** ListSystems (admin, dev, auditor) on a server: the probe every auth case uses. */
const listOn = (c: Clients, md: grpc.Metadata) =>
  call<ListSystemsRequest, ListSystemsResponse>(
    c.governance,
    c.governance.listSystems,
    { pageSize: 0, pageToken: '' },
    md,
  );

/** Lenient: the ErrorInfo reason of a failure if it carries one. */
function reasonOf(err: grpc.ServiceError): string | undefined {
  const bin = err.metadata?.get('grpc-status-details-bin')[0];
  if (!Buffer.isBuffer(bin)) return undefined;
  const info = Status.decode(bin).details.find((d) => d.typeUrl === 'type.googleapis.com/google.rpc.ErrorInfo');
  return info ? ErrorInfo.decode(info.value).reason : undefined;
}

describe('authentication and roles', function () {
  let srv: TestServer;
  let c: Clients;

  before(async () => {
    srv = await startTestServer();
    c = connect(srv.address);
  });
  after(async () => {
    c?.close();
    await srv?.stop();
  });

  const listSystems = (md: grpc.Metadata) => listOn(c, md);

  /** Valid claims for the test tenant, minus `omit`, plus `extra`. */
  const claims = (extra: Record<string, unknown> = {}, omit: string[] = []) => {
    const p: Record<string, unknown> = {
      tenant_id: srv.tenantId,
      sub: 'alice',
      role: 'auditor',
      exp: now() + 600,
      ...extra,
    };
    for (const k of omit) delete p[k];
    return p;
  };
  const hs = (payload: object, opts: jwt.SignOptions = {}) =>
    jwt.sign(payload, srv.secret, { algorithm: 'HS256', ...opts });
  /** claims() as JSON text with raw members appended, e.g. `"role":"admin"` a second time. */
  const rawClaims = (members: string, omit: string[] = []) =>
    `${JSON.stringify(claims({}, omit)).slice(0, -1)},${members}}`;
  const signedRaw = (payload: string, header = HS256_HEADER) => bearer(handMadeRaw(header, payload, srv.secret));

  it('accepts a well-formed token (baseline for the cases below)', async () => {
    const r = await listSystems(bearer(srv.mint('auditor')));
    expect(r.tenantId).to.equal(srv.tenantId);
    // The same claims, signed here by hand, are accepted too: the cases below differ in one thing only.
    await listSystems(bearer(hs(claims())));
    await listSystems(bearer(handMade({ alg: 'HS256', typ: 'JWT' }, claims(), srv.secret)));
    // Any printable subject, outside ASCII and the BMP too.
    await listSystems(bearer(hs(claims({ sub: 'José Müller 😀 <jose@example.org>' }))));
  });

  it('accepts the edges of the time claims and keys that only look like duplicates', async () => {
    const ok: [string, grpc.Metadata][] = [
      ['a lifetime of exactly the maximum', bearer(hs(claims({ iat: now(), exp: now() + MAX_LIFETIME_S })))],
      [
        'no iat and exp just inside the maximum from now',
        bearer(hs(claims({ exp: now() + MAX_LIFETIME_S - 60 }), { noTimestamp: true })),
      ],
      ['an iat 30 s ahead (clock skew)', bearer(hs(claims({ iat: now() + 30 })))],
      [
        'the same key names at another depth',
        bearer(hs(claims({ ctx: { role: 'admin', tenant_id: 'x', nested: [{ role: 1 }, { role: 2 }] } }))),
      ],
      // The scanner must not read keys out of string contents or trip on escaped quotes and backslashes.
      [
        'key-like text inside a string',
        bearer(hs(claims({ sub: 'a","role":"admin", "x\\', note: '{"role":"admin"}' }))),
      ],
    ];
    for (const [what, md] of ok) {
      const r = await listSystems(md).catch((e) => expect.fail(`${what}: ${grpc.status[e.code]} ${e.details}`));
      expect(r.tenantId, what).to.equal(srv.tenantId);
    }
  });

  describe('bad tokens are UNAUTHENTICATED with their own reason', () => {
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    type Case = [what: string, md: () => grpc.Metadata, reason: string, claim?: string];
    const cases: Case[] = [
      ['no metadata at all', () => new grpc.Metadata(), 'TOKEN_MISSING'],
      ['an empty authorization value', () => bearer(undefined, ''), 'TOKEN_MISSING'],
      ['a Basic scheme', () => bearer(undefined, 'Basic dXNlcjpwYXNz'), 'TOKEN_MALFORMED'],
      ['a bare token without the Bearer scheme', () => bearer(undefined, srv.mint('auditor')), 'TOKEN_MALFORMED'],
      ['"Bearer" with no token', () => bearer(undefined, 'Bearer'), 'TOKEN_MALFORMED'],
      [
        '"Bearer" with two tokens',
        () => bearer(undefined, `Bearer ${srv.mint('auditor')} ${srv.mint('auditor')}`),
        'TOKEN_MALFORMED',
      ],
      ['a garbage token', () => bearer('garbage'), 'TOKEN_MALFORMED'],
      ['three segments of garbage', () => bearer('not.a.jwt'), 'TOKEN_MALFORMED'],
      [
        'alg: none with an empty signature',
        () => bearer(handMade({ alg: 'none', typ: 'JWT' }, claims())),
        'TOKEN_INVALID',
      ],
      [
        'alg: NONE with an empty signature',
        () => bearer(handMade({ alg: 'NONE', typ: 'JWT' }, claims())),
        'TOKEN_INVALID',
      ],
      [
        'alg: none carrying a valid HS256 signature',
        () => bearer(handMade({ alg: 'none', typ: 'JWT' }, claims(), srv.secret)),
        'TOKEN_INVALID',
      ],
      [
        'HS256 signed with a wrong key',
        () => bearer(jwt.sign(claims(), 'x'.repeat(48), { algorithm: 'HS256' })),
        'TOKEN_INVALID',
      ],
      [
        'HS512 signed with the right key (algorithm not pinned)',
        () => bearer(hs(claims(), { algorithm: 'HS512' })),
        'TOKEN_INVALID',
      ],
      [
        'RS256 presented to the HS256 server',
        () => bearer(jwt.sign(claims(), rsa.privateKey, { algorithm: 'RS256' })),
        'TOKEN_INVALID',
      ],
      [
        'a tampered payload',
        () => {
          const [h, , s] = hs(claims()).split('.');
          return bearer(`${h}.${b64url(claims({ role: 'admin' }))}.${s}`);
        },
        'TOKEN_INVALID',
      ],
      ['an expired token', () => bearer(hs(claims({ exp: now() - 60 }))), 'TOKEN_EXPIRED'],
      [
        'a token without exp',
        () => bearer(hs(claims({}, ['exp']), { noTimestamp: true })),
        'TOKEN_CLAIMS_INVALID',
        'exp',
      ],
      [
        'a non-numeric exp',
        () => bearer(handMade({ alg: 'HS256', typ: 'JWT' }, claims({ exp: 'soon' }), srv.secret)),
        'TOKEN_CLAIMS_INVALID',
        'exp',
      ],
      ['a token without tenant_id', () => bearer(hs(claims({}, ['tenant_id']))), 'TOKEN_CLAIMS_INVALID', 'tenant_id'],
      [
        'a tenant_id that is not a UUID',
        () => bearer(hs(claims({ tenant_id: 'acme' }))),
        'TOKEN_CLAIMS_INVALID',
        'tenant_id',
      ],
      ['a numeric tenant_id', () => bearer(hs(claims({ tenant_id: 42 }))), 'TOKEN_CLAIMS_INVALID', 'tenant_id'],
      ['a token without sub', () => bearer(hs(claims({}, ['sub']))), 'TOKEN_CLAIMS_INVALID', 'sub'],
      ['an empty sub', () => bearer(hs(claims({ sub: ' ' }))), 'TOKEN_CLAIMS_INVALID', 'sub'],
      // The subject is stored in the ledger as the actor: a NUL there failed every write of the batch it joined.
      ['a sub with a NUL', () => bearer(hs(claims({ sub: 'evil\u0000sub' }))), 'TOKEN_CLAIMS_INVALID', 'sub'],
      [
        'a sub with a line break',
        () => bearer(hs(claims({ sub: 'alice\nrole=admin' }))),
        'TOKEN_CLAIMS_INVALID',
        'sub',
      ],
      [
        'a sub with an unpaired surrogate',
        () => bearer(hs(claims({ sub: 'a\ud800b' }))),
        'TOKEN_CLAIMS_INVALID',
        'sub',
      ],
      [
        'a sub with a C1 control (U+0085)',
        () => bearer(hs(claims({ sub: 'alice\u0085admin' }))),
        'TOKEN_CLAIMS_INVALID',
        'sub',
      ],
      [
        'a sub with a right-to-left override',
        () => bearer(hs(claims({ sub: 'alice\u202enimda' }))),
        'TOKEN_CLAIMS_INVALID',
        'sub',
      ],
      [
        'a sub with a bidirectional isolate',
        () => bearer(hs(claims({ sub: 'alice\u2067x' }))),
        'TOKEN_CLAIMS_INVALID',
        'sub',
      ],
      ['a token without role', () => bearer(hs(claims({}, ['role']))), 'TOKEN_CLAIMS_INVALID', 'role'],
      [
        'an unknown role ("superuser")',
        () => bearer(hs(claims({ role: 'superuser' }))),
        'TOKEN_CLAIMS_INVALID',
        'role',
      ],
      ['a role in another case ("Admin")', () => bearer(hs(claims({ role: 'Admin' }))), 'TOKEN_CLAIMS_INVALID', 'role'],
      // JSON.parse reads 1e400 as Infinity: a token that never expires (and would stay in the verified cache for good).
      ['exp: 1e400', () => signedRaw(rawClaims('"exp":1e400', ['exp'])), 'TOKEN_CLAIMS_INVALID', 'exp'],
      [
        'a lifetime (exp - iat) one second over the maximum',
        () => bearer(hs(claims({ iat: now(), exp: now() + MAX_LIFETIME_S + 1 }))),
        'TOKEN_CLAIMS_INVALID',
        'exp',
      ],
      [
        'an old iat with a fresh exp, over the maximum in all',
        () => bearer(hs(claims({ iat: now() - MAX_LIFETIME_S, exp: now() + 3600 }))),
        'TOKEN_CLAIMS_INVALID',
        'exp',
      ],
      [
        'no iat and exp beyond the maximum from now',
        () => bearer(hs(claims({ exp: now() + MAX_LIFETIME_S + 120 }), { noTimestamp: true })),
        'TOKEN_CLAIMS_INVALID',
        'exp',
      ],
      [
        'a non-numeric iat',
        () => bearer(handMade({ alg: 'HS256', typ: 'JWT' }, claims({ iat: 'now' }), srv.secret)),
        'TOKEN_CLAIMS_INVALID',
        'iat',
      ],
      [
        'a null iat',
        () => bearer(handMade({ alg: 'HS256', typ: 'JWT' }, claims({ iat: null }), srv.secret)),
        'TOKEN_CLAIMS_INVALID',
        'iat',
      ],
      ['iat: 1e400', () => signedRaw(rawClaims('"iat":1e400')), 'TOKEN_CLAIMS_INVALID', 'iat'],
      [
        'an iat an hour ahead (beyond the 60 s skew)',
        () => bearer(hs(claims({ iat: now() + 3600 }))),
        'TOKEN_CLAIMS_INVALID',
        'iat',
      ],
      // We implement no JWS extension, so any crit (RFC 7515 4.1.11) names one we cannot honour.
      [
        'a crit header naming an extension',
        () => signedRaw(JSON.stringify(claims()), '{"alg":"HS256","typ":"JWT","b64":false,"crit":["b64"]}'),
        'TOKEN_INVALID',
      ],
      [
        'a crit header naming a registered claim',
        () => signedRaw(JSON.stringify(claims()), '{"alg":"HS256","crit":["exp"]}'),
        'TOKEN_INVALID',
      ],
      ['an empty crit header', () => signedRaw(JSON.stringify(claims()), '{"alg":"HS256","crit":[]}'), 'TOKEN_INVALID'],
      // JSON.parse keeps the last of two equal keys; another parser (a gateway's) may keep the first.
      ['role twice in the payload', () => signedRaw(rawClaims('"role":"admin"')), 'TOKEN_MALFORMED'],
      [
        'tenant_id twice in the payload',
        () => signedRaw(rawClaims(`"tenant_id":"${crypto.randomUUID()}"`)),
        'TOKEN_MALFORMED',
      ],
      ['role twice, once spelt with an escape', () => signedRaw(rawClaims('"r\\u006fle":"admin"')), 'TOKEN_MALFORMED'],
      ['exp twice', () => signedRaw(rawClaims(`"exp":${now() + 60}`)), 'TOKEN_MALFORMED'],
      [
        'alg twice in the header',
        () => signedRaw(JSON.stringify(claims()), '{"alg":"none","typ":"JWT","alg":"HS256"}'),
        'TOKEN_MALFORMED',
      ],
    ];
    for (const [what, md, reason, claim] of cases) {
      it(`rejects ${what}: UNAUTHENTICATED / ${reason}${claim ? ` (claim ${claim})` : ''}`, async () => {
        const e = await expectError(listSystems(md()), grpc.status.UNAUTHENTICATED, `ERROR_REASON_${reason}`);
        if (claim) expect(e.metadata.claim).to.equal(claim);
        expect(e.metadata.request_id).to.be.a('string').and.not.be.empty;
      });
    }

    it('refuses two authorization values: TOKEN_MALFORMED, whichever of them is valid', () => {
      // Not through the server: grpc-js clients refuse to send a second value, and Node's HTTP/2 layer
      // keeps only the first `authorization` header of a request (a single-value header), so no call
      // reaches the adapter with two. The verifier refuses them for whatever transport hands it a list.
      const verifier = new TokenVerifier({ algorithm: 'HS256', key: crypto.createSecretKey(Buffer.from(srv.secret)) });
      const good = `Bearer ${srv.mint('auditor')}`;
      expect(verifier.verifyHeader([good]).tenantId).to.equal(srv.tenantId);
      for (const values of [
        [good, good],
        [good, 'Bearer garbage'],
        ['Bearer garbage', good],
      ]) {
        expect(() => verifier.verifyHeader(values))
          .to.throw(DomainError)
          .with.property('reason', 'TOKEN_MALFORMED');
      }
      expect(() => verifier.verifyHeader([]))
        .to.throw(DomainError)
        .with.property('reason', 'TOKEN_MISSING');
    });

    it('refuses a call that carries two authorization headers (sent raw, as curl does): UNAUTHENTICATED / TOKEN_MALFORMED', async () => {
      const good = srv.mint('auditor');
      const send = (headers: string[]) =>
        new Promise<string>((resolve, reject) => {
          const args = [
            '-s',
            '-D',
            '-',
            '-o',
            '/dev/null',
            '--http2-prior-knowledge',
            '-H',
            'content-type: application/grpc',
            '-H',
            'te: trailers',
          ];
          for (const h of headers) args.push('-H', h);
          // ListSystemsRequest{}: an empty message in its 5-byte gRPC frame.
          const body = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'btv-curl-')), 'req');
          fs.writeFileSync(body, Buffer.alloc(5));
          args.push('--data-binary', `@${body}`, `http://${srv.address}/btv.v1.GovernanceService/ListSystems`);
          execFile('curl', args, (err, stdout) => (err ? reject(err) : resolve(stdout)));
        });
      const status = (out: string) => /grpc-status: *(\d+)/i.exec(out)?.[1];
      // One header: the call goes through (status 0 arrives in the trailers curl prints too).
      expect(status(await send([`authorization: Bearer ${good}`]))).to.equal('0');
      for (const pair of [
        [good, good],
        [good, 'garbage'],
        ['garbage', good],
      ]) {
        const out = await send(pair.map((t) => `authorization: Bearer ${t}`));
        expect(status(out), out).to.equal(String(grpc.status.UNAUTHENTICATED));
        const details = /grpc-status-details-bin: *([A-Za-z0-9+/=]+)/i.exec(out)![1];
        const info = Status.decode(Buffer.from(details, 'base64')).details.find((d) =>
          d.typeUrl.endsWith('ErrorInfo'),
        )!;
        expect(ErrorInfo.decode(info.value).reason).to.equal('ERROR_REASON_TOKEN_MALFORMED');
      }
    });

    it('answers a server-streaming call (WatchSystemStatus) with a bad token UNAUTHENTICATED too, at once', async () => {
      const client = new grpc.Client(srv.address, grpc.credentials.createInsecure());
      try {
        const watch = OperationsServiceService.watchSystemStatus as unknown as AnyMethod;
        await expectError(
          invoke(client, watch, new grpc.Metadata()),
          grpc.status.UNAUTHENTICATED,
          'ERROR_REASON_TOKEN_MISSING',
        );
        await expectError(
          invoke(client, watch, bearer(hs(claims({ exp: now() - 60 })))),
          grpc.status.UNAUTHENTICATED,
          'ERROR_REASON_TOKEN_EXPIRED',
        );
      } finally {
        client.close();
      }
    });

    it('refuses a token it accepted before once that token expires (a verified token is remembered, its expiry is re-checked)', async () => {
      const exp = now() + 2;
      const md = bearer(hs(claims({ exp })));
      await listSystems(md);
      await listSystems(md);
      await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 20));
      await expectError(listSystems(md), grpc.status.UNAUTHENTICATED, 'ERROR_REASON_TOKEN_EXPIRED');
    });

    it('never echoes the token back in the error', async () => {
      const token = hs(claims({ role: 'superuser' }));
      const e = await expectError(
        listSystems(bearer(token)),
        grpc.status.UNAUTHENTICATED,
        'ERROR_REASON_TOKEN_CLAIMS_INVALID',
      );
      expect(e.message).not.to.contain(token.split('.')[2]);
      expect(JSON.stringify(e.metadata)).not.to.contain(token.split('.')[2]);
    });
  });

  describe('issuer and audience, when configured', () => {
    let pinned: TestServer;
    let pc: Clients;
    before(async () => {
      pinned = await startTestServer({ env: { BTV_JWT_ISSUER: 'https://issuer.test', BTV_JWT_AUDIENCE: 'btv-grpc' } });
      pc = connect(pinned.address);
    });
    after(async () => {
      pc?.close();
      await pinned?.stop();
    });

    const mint = (o: { issuer?: string; audience?: string }) =>
      mintToken({
        tenantId: pinned.tenantId,
        role: 'auditor',
        subject: 'alice',
        ttlSeconds: 600,
        algorithm: 'HS256',
        key: crypto.createSecretKey(Buffer.from(pinned.secret)),
        ...o,
      });
    const list = (token: string) => listOn(pc, bearer(token));

    it('accepts a token with the right iss and aud', async () => {
      expect((await list(mint({ issuer: 'https://issuer.test', audience: 'btv-grpc' }))).tenantId).to.equal(
        pinned.tenantId,
      );
      expect((await list(pinned.mint('auditor'))).tenantId).to.equal(pinned.tenantId);
    });

    const bad: [string, { issuer?: string; audience?: string }][] = [
      ['a wrong issuer', { issuer: 'https://evil.test', audience: 'btv-grpc' }],
      ['a wrong audience', { issuer: 'https://issuer.test', audience: 'someone-else' }],
      ['no issuer', { audience: 'btv-grpc' }],
      ['no audience', { issuer: 'https://issuer.test' }],
    ];
    for (const [what, o] of bad) {
      it(`rejects ${what}: UNAUTHENTICATED / TOKEN_INVALID`, async () => {
        await expectError(list(mint(o)), grpc.status.UNAUTHENTICATED, 'ERROR_REASON_TOKEN_INVALID');
      });
    }
  });

  describe('role matrix (API.md)', () => {
    let client: grpc.Client;
    before(() => {
      client = new grpc.Client(srv.address, grpc.credentials.createInsecure());
    });
    after(() => client?.close());

    it('ROLE_RULES is exactly the API.md table, and covers exactly the service descriptors', () => {
      const sorted = (t: Readonly<Record<string, readonly Role[]>>) =>
        Object.fromEntries(Object.entries(t).map(([k, v]) => [k, [...v].sort()]));
      expect(sorted(ROLE_RULES)).to.deep.equal(sorted(CONTRACT));
      expect(
        allMethods()
          .map((m) => m.path)
          .sort(),
      ).to.deep.equal(Object.keys(CONTRACT).sort());
    });

    for (const m of allMethods()) {
      for (const role of ROLES) {
        const allowed = (CONTRACT[m.path] ?? []).includes(role);
        it(`${m.path} as ${role}: ${allowed ? 'gets past authorization' : 'PERMISSION_DENIED / ROLE_NOT_ALLOWED'}`, async () => {
          const md = bearer(srv.mint(role));
          if (!allowed) {
            const e = await expectError(
              invoke(client, m, md),
              grpc.status.PERMISSION_DENIED,
              'ERROR_REASON_ROLE_NOT_ALLOWED',
            );
            expect(e.metadata.allowed_roles.split(',').sort()).to.deep.equal([...CONTRACT[m.path]].sort());
            return;
          }
          try {
            await invoke(client, m, md);
          } catch (err) {
            const e = err as grpc.ServiceError;
            const reason = reasonOf(e);
            const got = `${grpc.status[e.code]} / ${reason}: ${e.details}`;
            expect(e.code, got).not.to.equal(grpc.status.UNAUTHENTICATED);
            expect(
              e.code === grpc.status.PERMISSION_DENIED && reason === 'ERROR_REASON_ROLE_NOT_ALLOWED',
              got,
            ).to.equal(false);
            // An empty request is a client mistake, never a server fault.
            expect(e.code, got).not.to.be.oneOf([grpc.status.INTERNAL, grpc.status.UNKNOWN]);
          }
        });
      }
    }
  });

  describe('RS256', () => {
    let rs: TestServer;
    let rc: Clients;
    let tmp: string;
    let publicPem: string;
    const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

    before(async () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'btv-rs256-'));
      publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const file = path.join(tmp, 'jwt-public.pem');
      fs.writeFileSync(file, publicPem);
      rs = await startTestServer({ env: { BTV_JWT_ALGORITHM: 'RS256', BTV_JWT_PUBLIC_KEY_FILE: file } });
      rc = connect(rs.address);
    });
    after(async () => {
      rc?.close();
      await rs?.stop();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const list = (token: string) => listOn(rc, bearer(token));
    const payload = () => ({ tenant_id: rs.tenantId, sub: 'svc', role: 'auditor', exp: now() + 600 });

    it('accepts a token signed with the private key', async () => {
      const token = mintToken({
        tenantId: rs.tenantId,
        role: 'auditor',
        subject: 'svc',
        ttlSeconds: 600,
        algorithm: 'RS256',
        key: privateKey,
      });
      expect((await list(token)).tenantId).to.equal(rs.tenantId);
    });

    it('rejects the algorithm-confusion attack: HS256 with the public key PEM as HMAC secret', async () => {
      const forged = handMade({ alg: 'HS256', typ: 'JWT' }, payload(), publicPem);
      await expectError(list(forged), grpc.status.UNAUTHENTICATED, 'ERROR_REASON_TOKEN_INVALID');
      const forgedDer = handMade(
        { alg: 'HS256', typ: 'JWT' },
        payload(),
        publicKey.export({ type: 'spki', format: 'der' }),
      );
      await expectError(list(forgedDer), grpc.status.UNAUTHENTICATED, 'ERROR_REASON_TOKEN_INVALID');
    });

    it('rejects an HS256 token signed with the server HS256 secret (only RS256 is accepted)', async () => {
      await expectError(list(rs.mint('auditor')), grpc.status.UNAUTHENTICATED, 'ERROR_REASON_TOKEN_INVALID');
    });

    it('rejects alg: none and a token signed by another RSA key', async () => {
      await expectError(
        list(handMade({ alg: 'none', typ: 'JWT' }, payload())),
        grpc.status.UNAUTHENTICATED,
        'ERROR_REASON_TOKEN_INVALID',
      );
      const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      await expectError(
        list(jwt.sign(payload(), other.privateKey, { algorithm: 'RS256' })),
        grpc.status.UNAUTHENTICATED,
        'ERROR_REASON_TOKEN_INVALID',
      );
    });
  });
});
