import * as grpc from '@grpc/grpc-js';
import { HealthCheckRequest, HealthCheckResponse, HealthCheckResponse_ServingStatus as Serving, HealthService } from '../../gen/ts/grpc/health/v1/health';

/**
 * grpc.health.v1.Health, without authentication. One serving status for the
 * server ("") and each service; Watch streams are sent every change and are
 * ended when the server stops, so an open Watch never holds up a shutdown.
 */
export class Health {
  private readonly statuses = new Map<string, Serving>();
  private readonly watchers = new Set<{ service: string; call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>; last?: Serving }>();

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
    server.addService(HealthService, {
      check: (call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: grpc.sendUnaryData<HealthCheckResponse>) => {
        const status = this.statuses.get(call.request.service);
        if (status === undefined) callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${call.request.service.slice(0, 200)}"` });
        else callback(null, { status });
      },
      watch: (call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
        const w = { service: call.request.service, call };
        this.watchers.add(w);
        call.on('cancelled', () => this.watchers.delete(w));
        this.send(w);
      },
    });
  }

  private send(w: { service: string; call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>; last?: Serving }): void {
    const status = this.statuses.get(w.service) ?? Serving.SERVICE_UNKNOWN;
    if (status === w.last || w.call.cancelled) return;
    w.last = status;
    w.call.write({ status });
  }
}
