/**
 * The killswitch benchmark's watchers, in their own process so that their
 * decoding never delays the caller's responses (in production they are other
 * services). Started with fork(); argv: JSON { addresses, systemId, token, count }.
 *
 * Messages to the parent: { ready } once every watcher has its snapshot;
 * { complete, revision } when the last watcher has a revision; { arrivals } on
 * request: per watcher, its server and [revision, time] pairs. Times are
 * process.hrtime in ms, a clock every process on the machine shares.
 */
import * as grpc from '@grpc/grpc-js';
import type { WatchSystemStatusResponse } from '../gen/ts/btv/v1/operations';
import { OperationsServiceClient, WatchSystemStatusRequest } from '../gen/ts/btv/v1/operations';
import { StatusEventType as ET } from '../gen/ts/btv/v1/types';

interface Args {
  addresses: { server: string; address: string }[];
  systemId: string;
  token: string;
  count: number;
}

const args = JSON.parse(process.argv[2]) as Args;
const send = (m: unknown) => process.send!(m);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const md = new grpc.Metadata();
md.set('authorization', `Bearer ${args.token}`);

const watchers: {
  server: string;
  arrived: [number, number][];
  snapshot: boolean;
  client: OperationsServiceClient;
  stream?: grpc.ClientReadableStream<WatchSystemStatusResponse>;
}[] = [];
const seen = new Map<number, number>();
let ready = false;

for (let i = 0; i < args.count; i++) {
  const { server, address } = args.addresses[i % args.addresses.length];
  // Each watcher on its own connection, as separate services would be.
  const client = new OperationsServiceClient(address, grpc.credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
  const w = {
    server,
    arrived: [] as [number, number][],
    snapshot: false,
    client,
    stream: undefined as grpc.ClientReadableStream<WatchSystemStatusResponse> | undefined,
  };
  w.stream = client.watchSystemStatus(WatchSystemStatusRequest.fromPartial({ systemIds: [args.systemId] }), md);
  w.stream.on('data', (r: WatchSystemStatusResponse) => {
    const at = now();
    const e = r.event!;
    if (e.type === ET.STATUS_EVENT_TYPE_SNAPSHOT) {
      w.snapshot = true;
      if (!ready && watchers.length === args.count && watchers.every((x) => x.snapshot)) {
        ready = true;
        send({ ready: true });
      }
    }
    if (e.type !== ET.STATUS_EVENT_TYPE_CHANGE) return;
    w.arrived.push([e.revision, at]);
    const n = (seen.get(e.revision) ?? 0) + 1;
    seen.set(e.revision, n);
    if (n === args.count) send({ complete: e.revision });
  });
  w.stream.on('error', (e: grpc.ServiceError) => {
    if (e.code !== grpc.status.CANCELLED) send({ error: `watcher ${i} on ${server}: ${e.message}` });
  });
  watchers.push(w);
}

process.on('message', (m: { report?: boolean }) => {
  if (!m.report) return;
  send({ arrivals: watchers.map((w) => ({ server: w.server, arrived: w.arrived })) });
  for (const w of watchers) {
    w.stream?.cancel();
    w.client.close();
  }
  setTimeout(() => process.exit(0), 100);
});
