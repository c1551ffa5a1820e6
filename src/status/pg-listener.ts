import { Client } from 'pg';
import { Logger } from '../logger';
import { STATUS_CHANNEL, StatusChangeRecord } from '../store/knex-status';
import { StatusHub } from './hub';

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
    const client = new Client({ connectionString: this.url });
    client.on('error', (err) => this.lost(client, err.message));
    client.on('end', () => this.lost(client, 'connection ended'));
    client.on('notification', (msg) => this.onNotification(msg.payload));
    await client.connect();
    await client.query(`LISTEN ${STATUS_CHANNEL}`);
    this.client = client;
    this.retryMs = 100;
    this.hub.setHealthy(true);
  }

  private onNotification(payload: string | undefined): void {
    const m = /^([0-9a-f-]{36}):(\d+)$/.exec(payload ?? '');
    if (!m) return;
    this.fetch(m[1], Number(m[2])).then(
      (change) => change && this.hub.publish(change),
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
