import * as grpc from '@grpc/grpc-js';
import type { HealthCheckRequest, HealthCheckResponse } from '../../gen/ts/grpc/health/v1/health';
import { HealthCheckResponse_ServingStatus as Serving, HealthService } from '../../gen/ts/grpc/health/v1/health';
import { decoded, tolerantDefinition } from './decoding';

/**
 * grpc.health.v1.Health, without authentication. One serving status for the
 * server ("") and each service; Watch streams are sent every change and are
 * ended when the server stops, so an open Watch never holds up a shutdown.
 */
export class Health {
  private readonly statuses = new Map<string, Serving>();
  private readonly watchers = new Set<{
    service: string;
    call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>;
    last?: Serving;
  }>();

  constructor(services: string[]) {
    for (const s of ['', ...services]) this.statuses.set(s, Serving.NOT_SERVING);
  }

  /** Sets every known service's status; watchers hear of changes only. */
  setAll(serving: boolean): void {
    const status = serving ? Serving.SERVING : Serving.NOT_SERVING;
    for (const s of this.statuses.keys()) this.statuses.set(s, status);
    for (const w of this.watchers) this.send(w);
  }

  status(service = ''): Serving | undefined {
    return this.statuses.get(service);
  }

  /** Ends every Watch stream (OK): the server is going away, clients reconnect elsewhere. */
  endWatches(): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      if (!w.call.cancelled) w.call.end();
    }
  }

  addTo(server: grpc.Server): void {
    // Tolerant decoding: a service name that is not UTF-8 is the caller's bad input, not INTERNAL.
    server.addService(tolerantDefinition(HealthService), {
      check: (
        call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
        callback: grpc.sendUnaryData<HealthCheckResponse>,
      ) => {
        const bad = badRequest(call.request);
        if (bad) {
          callback(bad);
          return;
        }
        const status = this.statuses.get(call.request.service);
        if (status === undefined)
          callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${call.request.service.slice(0, 200)}"` });
        else callback(null, { status });
      },
      watch: (call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
        const bad = badRequest(call.request);
        if (bad) {
          call.emit('error', bad); // sends the status and trailers
          return;
        }
        const w = { service: call.request.service, call };
        this.watchers.add(w);
        call.on('cancelled', () => this.watchers.delete(w));
        this.send(w);
      },
    });
  }

  private send(w: {
    service: string;
    call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>;
    last?: Serving;
  }): void {
    const status = this.statuses.get(w.service) ?? Serving.SERVICE_UNKNOWN;
    if (status === w.last || w.call.cancelled) return;
    w.last = status;
    w.call.write({ status });
  }
}

/** Health is unauthenticated and has no ErrorInfo of its own: a bad request is a plain INVALID_ARGUMENT. */
function badRequest(request: HealthCheckRequest): Partial<grpc.StatusObject> | undefined {
  try {
    decoded(request);
    return undefined;
  } catch (e) {
    return { code: grpc.status.INVALID_ARGUMENT, details: (e as Error).message };
  }
}
