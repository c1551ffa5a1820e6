import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AuditServiceService } from '../gen/ts/btv/v1/audit';
import { GovernanceServiceService } from '../gen/ts/btv/v1/governance';
import { OperationsServiceService } from '../gen/ts/btv/v1/operations';
import type { TokenVerifier } from './auth/verifier';
import type { Config } from './config';
import type { Logger } from './logger';
import type { CallTracer } from './telemetry/tracing';
import { projectRoot } from './paths';
import type { AdapterDeps } from './transport/adapter';
import { bindService } from './transport/adapter';
import { tolerantDefinition } from './transport/decoding';
import type { RateLimits } from './transport/rate-limits';
import type { AuditDeps } from './transport/audit';
import { auditHandlers } from './transport/audit';
import type { GovernanceDeps } from './transport/governance';
import { governanceHandlers } from './transport/governance';
import type { OperationsDeps } from './transport/operations';
import { operationsHandlers } from './transport/operations';
import { ConnectionGate, connectionOptions } from './transport/connection-limits';
import { Health } from './transport/health';
import { addReflectionService } from './transport/reflection';

export const SERVICE_NAMES = ['btv.v1.GovernanceService', 'btv.v1.OperationsService', 'btv.v1.AuditService'];

export interface ServerDeps extends GovernanceDeps, AuditDeps, OperationsDeps {
  verifier: TokenVerifier;
  logger: Logger;
  limits?: RateLimits;
  tracer?: CallTracer;
}

export interface RunningServer {
  port: number;
  health: Health;
  /**
   * Health NOT_SERVING at once, still serving for drainDelayMs (so load balancers polling health
   * see it), then end the watch streams, drain calls in flight for up to graceMs, cancel the rest.
   */
  shutdown(graceMs: number, drainDelayMs: number): Promise<void>;
}

function descriptorSets(): Buffer[] {
  const dir = path.join(projectRoot(), 'gen', 'descriptors');
  return ['btv.binpb', 'grpc.binpb'].map((f) => fs.readFileSync(path.join(dir, f)));
}

export function buildServer(config: Config, deps: ServerDeps): { server: grpc.Server; health: Health } {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': config.maxMessageBytes,
    'grpc.max_send_message_length': config.maxMessageBytes,
    ...connectionOptions(config.connections),
  });
  const adapter: AdapterDeps = {
    verifier: deps.verifier,
    logger: deps.logger,
    limits: deps.limits,
    metrics: deps.metrics,
    tracer: deps.tracer,
  };
  server.addService(
    tolerantDefinition(GovernanceServiceService),
    bindService(adapter, GovernanceServiceService, governanceHandlers(deps)),
  );
  server.addService(
    tolerantDefinition(OperationsServiceService),
    bindService(adapter, OperationsServiceService, operationsHandlers(deps)),
  );
  server.addService(
    tolerantDefinition(AuditServiceService),
    bindService(adapter, AuditServiceService, auditHandlers(deps)),
  );

  const health = new Health(SERVICE_NAMES);
  health.addTo(server);
  addReflectionService(server, descriptorSets());
  return { server, health };
}

export async function listen(config: Config, deps: ServerDeps): Promise<RunningServer> {
  const { server, health } = buildServer(config, deps);
  const gate = new ConnectionGate(server, config.connections);
  const port = await gate.listen(config.host, config.port);
  return {
    port,
    health,
    shutdown: async (graceMs, drainDelayMs) => {
      health.setAll(false);
      if (drainDelayMs > 0) await new Promise((r) => setTimeout(r, drainDelayMs));
      // Watch streams never end on their own: tell them to reconnect elsewhere so draining can finish.
      health.endWatches();
      deps.hub.close();
      gate.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          deps.logger.warn({ grace_ms: graceMs }, 'grace period over: cancelling calls still in flight');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
