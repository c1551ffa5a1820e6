import { Client } from 'pg';
import type { Logger } from '../logger';
import type { StatusChangeRecord } from '../store/ports';
import { decodeNotification, STATUS_CHANNEL } from '../store/status-notify';
import type { StatusHub } from './hub';

const LIVENESS_INTERVAL_MS = 1000;
const LIVENESS_TIMEOUT_MS = 2000;

/** Looks up a committed change by tenant and revision (NOTIFY carries only those). */
export type ChangeFetcher = (tenantId: string, revision: number) => Promise<StatusChangeRecord | undefined>;

/**
 * LISTENs for status changes committed by any process on the same
 * PostgreSQL database. When the connection drops the hub is marked unhealthy
 * at once (enforcement fails closed) until a new connection listens again and
 * subscribers have resynced from the change log.
 */
export class PgStatusListener {
  private client: Client | undefined;
  private stopped = false;
  private retryMs = 100;

  constructor(
    private readonly url: string,
    private readonly hub: StatusHub,
    private readonly fetch: ChangeFetcher,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  /** For tests and operations: drop the connection as a network fault would. */
  simulateDisconnect(): void {
    const client = this.client;
    if (!client) return;
    // Fail closed at once, as the 'end' event would a moment later.
    this.lost(client, 'simulated disconnect');
    client.end().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, keepAlive: true });
    client.on('error', (err) => this.lost(client, err.message));
    client.on('end', () => this.lost(client, 'connection ended'));
    client.on('notification', (msg) => this.onNotification(msg.payload));
    await client.connect();
    await client.query(`LISTEN ${STATUS_CHANNEL}`);
    this.client = client;
    this.retryMs = 100;
    this.watchLiveness(client);
    this.hub.setHealthy(true);
  }

  /**
   * A connection that dies without a reset (a cable, a frozen peer) raises no
   * event: probe it, and fail closed when it does not answer in time.
   */
  private watchLiveness(client: Client): void {
    const timer = setInterval(() => {
      if (this.client !== client) return clearInterval(timer);
      let timeout: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error('no answer to the liveness probe')), LIVENESS_TIMEOUT_MS);
      });
      Promise.race([client.query('SELECT 1'), expired]).then(
        () => clearTimeout(timeout),
        (err) => {
          clearTimeout(timeout);
          clearInterval(timer);
          this.lost(client, (err as Error).message);
          client.end().catch(() => undefined);
        },
      );
    }, LIVENESS_INTERVAL_MS);
    timer.unref();
  }

  private onNotification(payload: string | undefined): void {
    // The payload is the whole change: no read-back, so other processes learn of it in one hop.
    const change = decodeNotification(payload ?? '');
    if (change) {
      this.hub.publish(change);
      return;
    }
    const m = /^([0-9a-f-]{36}):(\d+)$/.exec(payload ?? '');
    if (!m) return;
    this.fetch(m[1], Number(m[2])).then(
      (c) => c && this.hub.publish(c),
      (err) => {
        this.logger.warn({ err: (err as Error).message }, 'status change lookup failed: resyncing');
        this.hub.setHealthy(false);
        this.hub.setHealthy(true);
      },
    );
  }

  private lost(client: Client, why: string): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.hub.setHealthy(false);
    this.logger.warn({ why }, 'status notifications lost: failing closed until resynced');
    const retry = () => {
      if (this.stopped) return;
      this.connect().catch((err) => {
        this.logger.warn({ err: (err as Error).message, retry_ms: this.retryMs }, 'status listener reconnect failed');
        this.retryMs = Math.min(this.retryMs * 2, 5000);
        setTimeout(retry, this.retryMs).unref();
      });
    };
    setTimeout(retry, this.retryMs).unref();
  }
}
