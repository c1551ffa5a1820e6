import * as net from 'node:net';
import { parse } from 'pg-connection-string';

export interface PgProxy {
  /** The same database, reached through the proxy (TCP on 127.0.0.1). */
  url: string;
  /** A network fault: every connection reset, no new ones accepted. */
  cut(): Promise<void>;
  /** A silent fault: connections open now stop passing bytes (no reset, no close); new ones work. */
  freeze(): void;
  /** The database unreachable: every connection reset, new ones refused until restore(). */
  refuse(): void;
  restore(): void;
  /** Closes everything. */
  close(): Promise<void>;
  /** Connections accepted so far. */
  readonly accepted: number;
}

/** A TCP proxy in front of a PostgreSQL URL (TCP or Unix socket) that tests can break. */
export async function pgProxy(targetUrl: string): Promise<PgProxy> {
  const target = parse(targetUrl);
  const port = Number(target.port || 5432);
  const connectUpstream = () =>
    target.host?.startsWith('/')
      ? net.connect(`${target.host}/.s.PGSQL.${port}`)
      : net.connect(port, target.host || '127.0.0.1');
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; frozen: boolean }>();
  let accepted = 0;
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted++;
    const pair = { client, upstream: connectUpstream(), frozen: false };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (d) => {
        if (!pair.frozen) to.write(d);
      });
    forward(client, pair.upstream);
    forward(pair.upstream, client);
    for (const s of [client, pair.upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        if (pair.frozen) return; // a frozen peer passes on nothing, a close neither
        client.destroy();
        pair.upstream.destroy();
        pairs.delete(pair);
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL('postgresql://127.0.0.1');
  url.port = String((server.address() as net.AddressInfo).port);
  url.username = encodeURIComponent(target.user ?? 'postgres');
  if (target.password) url.password = encodeURIComponent(target.password);
  url.pathname = `/${target.database ?? ''}`;
  const destroyAll = () => {
    for (const p of pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    pairs.clear();
  };
  return {
    url: url.toString(),
    cut: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        destroyAll();
      }),
    freeze: () => pairs.forEach((p) => (p.frozen = true)),
    refuse: () => {
      refusing = true;
      destroyAll();
    },
    restore: () => {
      refusing = false;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        destroyAll();
      }),
    get accepted() {
      return accepted;
    },
  };
}
