import type * as grpc from '@grpc/grpc-js';
import type { WatchSystemStatusResponse } from '../../gen/ts/btv/v1/operations';
import { WatchSystemStatusRequest } from '../../gen/ts/btv/v1/operations';
import type { StatusEvent } from '../../gen/ts/btv/v1/types';
import { StatusEventType as ET } from '../../gen/ts/btv/v1/types';
import type { Clients } from './grpc';

/** Collects a WatchSystemStatus stream's events; `until(pred)` waits for them. */
export class Watch {
  readonly events: StatusEvent[] = [];
  error?: grpc.ServiceError;
  ended = false;
  private waiters: (() => void)[] = [];
  readonly stream: grpc.ClientReadableStream<WatchSystemStatusResponse>;

  constructor(c: Clients, req: Partial<WatchSystemStatusRequest>, md: grpc.Metadata) {
    this.stream = c.operations.watchSystemStatus(WatchSystemStatusRequest.fromPartial(req), md);
    this.stream.on('data', (r: WatchSystemStatusResponse) => {
      this.events.push(r.event!);
      this.wake();
    });
    this.stream.on('error', (e: grpc.ServiceError) => {
      this.error = e;
      this.wake();
    });
    this.stream.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake() {
    this.waiters.splice(0).forEach((w) => w());
  }

  async until(pred: () => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (this.error) throw this.error;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out; events: ${JSON.stringify(this.events.map((e) => [ET[e.type], e.systemId, e.revision]))}`,
        );
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  changes(): StatusEvent[] {
    return this.events.filter((e) => e.type === ET.STATUS_EVENT_TYPE_CHANGE);
  }

  revisions(): number[] {
    return this.changes().map((e) => e.revision);
  }

  cancel() {
    this.stream.cancel();
  }
}
