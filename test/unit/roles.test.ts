// Deny by default: the role table and the service descriptors must match one
// to one, and a method without a rule stops the server from starting.
import * as crypto from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuditServiceService } from '../../gen/ts/btv/v1/audit';
import { GovernanceServiceService } from '../../gen/ts/btv/v1/governance';
import { OperationsServiceService } from '../../gen/ts/btv/v1/operations';
import { allowedRoles, ROLE_RULES } from '../../src/auth/roles';
import { TokenVerifier } from '../../src/auth/verifier';
import { ROLES } from '../../src/domain/context';
import { createLogger } from '../../src/logger';
import type { AdapterDeps } from '../../src/transport/adapter';
import { bindService } from '../../src/transport/adapter';

const SERVICES: Record<string, grpc.ServiceDefinition> = {
  'btv.v1.GovernanceService': GovernanceServiceService,
  'btv.v1.OperationsService': OperationsServiceService,
  'btv.v1.AuditService': AuditServiceService,
};
const methodPaths = () => Object.values(SERVICES).flatMap((def) => Object.values(def).map((m) => m.path));

const deps = (): AdapterDeps => ({
  verifier: new TokenVerifier({ algorithm: 'HS256', key: crypto.createSecretKey(crypto.randomBytes(32)) }),
  logger: createLogger('silent'),
});

describe('role rules (deny by default)', () => {
  it('has a rule for every method of every service descriptor', () => {
    const missing = methodPaths().filter((p) => allowedRoles(p) === undefined);
    expect(missing, 'methods without a role rule').to.deep.equal([]);
    expect(methodPaths()).to.have.length.greaterThan(10);
  });

  it('has no rule for a method that does not exist', () => {
    const known = new Set(methodPaths());
    const stale = Object.keys(ROLE_RULES).filter((p) => !known.has(p));
    expect(stale, 'rules naming no method').to.deep.equal([]);
  });

  it('every method path is /<service>/<Method> of one of the three services', () => {
    for (const [service, def] of Object.entries(SERVICES)) {
      for (const m of Object.values(def))
        expect(m.path).to.match(new RegExp(`^/${service.replace(/\./g, '\\.')}/[A-Z][A-Za-z]+$`));
    }
  });

  it('every rule names at least one role, only known roles, each once', () => {
    for (const [p, roles] of Object.entries(ROLE_RULES)) {
      expect(roles, p).to.not.be.empty;
      expect(
        roles.every((r) => ROLES.includes(r)),
        p,
      ).to.equal(true);
      expect(new Set(roles).size, p).to.equal(roles.length);
    }
  });

  it('answers undefined for unknown paths, including Object.prototype names', () => {
    for (const p of ['/btv.v1.GovernanceService/Nope', '', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(allowedRoles(p), p).to.equal(undefined);
    }
  });
});

describe('bindService', () => {
  const fakeMethod = (p: string) => ({
    path: p,
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: Buffer) => v,
    requestDeserialize: (v: Buffer) => v,
    responseSerialize: (v: Buffer) => v,
    responseDeserialize: (v: Buffer) => v,
  });

  it('refuses to bind a method that has no role rule', () => {
    const def = { nope: fakeMethod('/btv.v1.GovernanceService/Nope') } as unknown as grpc.ServiceDefinition;
    expect(() => bindService(deps(), def, {})).to.throw(/no role rule for \/btv\.v1\.GovernanceService\/Nope/);
  });

  it('refuses the whole service when only one of its methods lacks a rule', () => {
    const def = {
      ...GovernanceServiceService,
      nope: fakeMethod('/btv.v1.GovernanceService/Nope'),
    } as unknown as grpc.ServiceDefinition;
    expect(() => bindService(deps(), def, {})).to.throw(/no role rule/);
  });

  it('binds every real service, wrapping every method', () => {
    for (const [service, def] of Object.entries(SERVICES)) {
      const impl = bindService(deps(), def, {});
      expect(Object.keys(impl).sort(), service).to.deep.equal(Object.keys(def).sort());
      for (const h of Object.values(impl)) expect(h).to.be.a('function');
    }
  });

  it('refuses a handler that matches no method', () => {
    expect(() =>
      bindService(deps(), SERVICES['btv.v1.GovernanceService'], { noSuchMethod: async () => ({}) }),
    ).to.throw(/matches no method/);
  });
});
