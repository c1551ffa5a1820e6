import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { AuditServiceService } from '../gen/ts/btv/v1/audit';
import { GovernanceServiceService } from '../gen/ts/btv/v1/governance';
import { OperationsServiceService } from '../gen/ts/btv/v1/operations';
import { TokenVerifier } from './auth/verifier';
import { Config } from './config';
import { Logger } from './logger';
import { projectRoot } from './paths';
import { AdapterDeps, bindService, tolerantDefinition } from './transport/adapter';
import { RateLimits } from './transport/rate-limits';
import { auditHandlers, AuditDeps } from './transport/audit';
import { governanceHandlers, GovernanceDeps } from './transport/governance';
import { operationsHandlers, OperationsDeps } from './transport/operations';
import { addReflectionService } from './transport/reflection';

export const SERVICE_NAMES = ['btv.v1.GovernanceService', 'btv.v1.OperationsService', 'btv.v1.AuditService'];

export interface ServerDeps extends GovernanceDeps, AuditDeps, OperationsDeps {
  verifier: TokenVerifier;
  logger: Logger;
  limits?: RateLimits;
}

export interface RunningServer {
  port: number;
  /** Health NOT_SERVING, drain calls in flight for up to graceMs, then cancel what is left. */
  shutdown(graceMs: number): Promise<void>;
}

function descriptorSets(): Buffer[] {
  const dir = path.join(projectRoot(), 'gen', 'descriptors');
  return ['btv.binpb', 'grpc.binpb'].map((f) => fs.readFileSync(path.join(dir, f)));
}

export function buildServer(config: Config, deps: ServerDeps): { server: grpc.Server; health: HealthImplementation } {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': config.maxMessageBytes,
    'grpc.max_send_message_length': config.maxMessageBytes,
    // Ping idle clients so dead peers (and their watch streams) are noticed.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    // Clients may ping every 10 s without being sent GOAWAY (too_many_pings).
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    'grpc.max_concurrent_streams': 1000,
  });
  const adapter: AdapterDeps = { verifier: deps.verifier, logger: deps.logger, limits: deps.limits };
  server.addService(tolerantDefinition(GovernanceServiceService), bindService(adapter, GovernanceServiceService, governanceHandlers(deps)));
  server.addService(tolerantDefinition(OperationsServiceService), bindService(adapter, OperationsServiceService, operationsHandlers(deps)));
  server.addService(tolerantDefinition(AuditServiceService), bindService(adapter, AuditServiceService, auditHandlers(deps)));

  const health = new HealthImplementation(Object.fromEntries(['', ...SERVICE_NAMES].map((s) => [s, 'SERVING'])));
  health.addToServer(server);
  addReflectionService(server, descriptorSets());
  return { server, health };
}

export async function listen(config: Config, deps: ServerDeps): Promise<RunningServer> {
  const { server, health } = buildServer(config, deps);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.host}:${config.port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    shutdown: (graceMs) =>
      new Promise<void>((resolve) => {
        for (const s of ['', ...SERVICE_NAMES]) health.setStatus(s, 'NOT_SERVING');
        // Watch streams never end on their own: tell them to reconnect elsewhere so draining can finish.
        deps.hub.close();
        const force = setTimeout(() => {
          deps.logger.warn({ grace_ms: graceMs }, 'grace period over: cancelling calls still in flight');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
