import type { Logger } from './logger';
import type { StatusHub } from './killswitch/hub';
import type { StorageHealth } from './store/errors';
import type { Health } from './transport/health';

const PROBE_INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 2000;

/** Rejects when p has not settled within ms (p keeps running; its result is ignored). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

/**
 * Health says SERVING only while the server can do its job: the database answers (probed every
 * second), its data is not reported damaged, and status notifications flow (without them Enforce
 * fails closed). Load balancers and orchestrators then send calls elsewhere.
 */
export class ServingMonitor {
  private reachable = true;
  private stopped = false;
  private serving: boolean | undefined;
  private probing = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly d: {
      probe: () => Promise<unknown>;
      probeWrite: () => Promise<unknown>;
      hub: StatusHub;
      storage: StorageHealth;
      health: Health;
      logger: Logger;
    },
  ) {
    d.hub.onHealthChange(() => this.update());
    d.storage.onChange(() => {
      const why = d.storage.writesFailing;
      if (why) d.logger.warn({ why }, 'the database refuses writes: health NOT_SERVING until one succeeds');
      this.update();
    });
    this.timer = setInterval(() => this.probe(), PROBE_INTERVAL_MS);
    this.timer.unref();
    this.update();
  }

  private probe(): void {
    if (this.probing || this.stopped) return;
    this.probing = true;
    void within(this.d.probe(), PROBE_TIMEOUT_MS, 'the database probe')
      .then(
        () => this.setReachable(true),
        (err) => this.setReachable(false, (err as Error).message),
      )
      .then(async () => {
        // While writes fail, one small real write a second tells when they work again, even with no traffic.
        if (!this.reachable || !this.d.storage.writesFailing) return;
        try {
          await within(this.d.probeWrite(), PROBE_TIMEOUT_MS, 'the database write probe');
          this.d.storage.noteWriteOk();
        } catch (err) {
          this.d.storage.noteFault(err);
        }
      })
      .finally(() => (this.probing = false));
  }

  private setReachable(reachable: boolean, why?: string): void {
    if (reachable !== this.reachable) {
      if (reachable) this.d.logger.info('database reachable again');
      else this.d.logger.warn({ why }, 'database unreachable: health NOT_SERVING');
    }
    this.reachable = reachable;
    this.update();
  }

  private update(): void {
    const serving =
      !this.stopped && this.reachable && this.d.hub.healthy && !this.d.storage.damaged && !this.d.storage.writesFailing;
    if (serving === this.serving) return;
    this.serving = serving;
    this.d.health.setAll(serving);
  }

  /** Health NOT_SERVING from now on (the server is stopping). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.update();
  }
}
