import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { DomainError } from '../domain/errors';
import { toGrpcStatus } from './errors';

export interface ConnectionLimits {
  /**
   * BTV_MAX_CONNECTIONS: open TCP connections. At the limit, the oldest connection with no call
   * open makes room for the new one; only when every connection has a call is the new one closed.
   */
  maxConnections: number;
  /** BTV_MAX_CONNECTIONS_PER_PEER: open connections from one address. */
  maxConnectionsPerPeer: number;
  /** BTV_CONNECTION_HANDSHAKE_MS: a connection that has not begun HTTP/2 this long after it opened is closed. */
  handshakeMs: number;
  /** BTV_MAX_STREAMS_PER_CONNECTION: concurrent calls on one HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
  maxStreamsPerConnection: number;
  /** BTV_REQUEST_TIMEOUT_MS: a call whose request message has not arrived this long after its headers is ended. */
  requestTimeoutMs: number;
  /** BTV_CONNECTION_IDLE_MS: a connection with no call for this long is closed (GOAWAY). */
  connectionIdleMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1000,
  maxConnectionsPerPeer: 100,
  handshakeMs: 5000,
  maxStreamsPerConnection: 100,
  requestTimeoutMs: 10_000,
  connectionIdleMs: 300_000,
};

/** grpc-js server options that bound each connection and enforce keepalive. */
export function connectionOptions(l: ConnectionLimits): grpc.ServerOptions {
  return {
    'grpc.max_concurrent_streams': l.maxStreamsPerConnection,
    'grpc.max_connection_idle_ms': l.connectionIdleMs,
    // Ping quiet clients so dead peers (and their watch streams) are noticed.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    // Clients may ping every 10 s; faster pings earn strikes, and too many a GOAWAY.
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    'grpc.http2.max_ping_strikes': 2,
  };
}

/**
 * Streams that arrived with more than one authorization header. Node keeps only the first in the
 * headers grpc-js reads, so a proxy that checked the second would be talked past: the adapter
 * refuses such calls before any handler, from the raw header list only the HTTP/2 server sees.
 */
const duplicateAuthorization = new WeakSet<http2.ServerHttp2Stream>();

/** The HTTP/2 stream under a grpc-js call (its base call holds it; we install no interceptor). */
export function streamOf(call: object): http2.ServerHttp2Stream | undefined {
  return (call as { call?: { stream?: http2.ServerHttp2Stream } }).call?.stream;
}

export const hasDuplicateAuthorization = (call: object): boolean => {
  const stream = streamOf(call);
  return stream !== undefined && duplicateAuthorization.has(stream);
};

/** Bidirectional streams (reflection) keep their request side open by design. */
const OPEN_ENDED = '/grpc.reflection.';

/**
 * Watches every stream from its headers: notes duplicate authorization headers, and ends a call
 * whose client has not finished sending its request within requestTimeoutMs (a client that sent
 * only headers would otherwise hold its stream, and the memory behind it, forever). One sweep
 * timer serves all streams, so a call costs a map entry, not a timer of its own.
 */
class StreamGuard {
  private readonly pending = new Map<http2.ServerHttp2Stream, number>();
  /** Told of each stream's start and end, by the connection it runs on. */
  onCall: (peer: string, delta: 1 | -1) => void = () => undefined;

  constructor(private readonly timeoutMs: number) {
    setInterval(() => this.sweep(), Math.max(50, Math.min(1000, timeoutMs / 4))).unref();
  }

  readonly onStream = (
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    _flags: number,
    raw: string[],
  ): void => {
    let n = 0;
    for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization') n++;
    if (n > 1) duplicateAuthorization.add(stream);
    const socket = stream.session?.socket;
    const peer = socket ? `${socket.remoteAddress}|${socket.remotePort}` : '';
    this.onCall(peer, 1);
    stream.once('close', () => this.onCall(peer, -1));
    if (String(headers[':path']).startsWith(OPEN_ENDED)) return;
    this.pending.set(stream, Date.now() + this.timeoutMs);
    stream.once('close', () => this.pending.delete(stream));
  };

  private sweep(): void {
    const now = Date.now();
    for (const [stream, deadline] of this.pending) {
      if (stream.closed || stream.destroyed) {
        this.pending.delete(stream);
        continue;
      }
      if (stream.state.remoteClose) {
        this.pending.delete(stream); // the request is in: the handler may take as long as it needs
        continue;
      }
      if (deadline > now) continue;
      this.pending.delete(stream);
      const status = toGrpcStatus(
        new DomainError({
          kind: 'deadline_exceeded',
          reason: 'REQUEST_TIMEOUT',
          message: `the request did not arrive within ${this.timeoutMs} ms of the call's headers`,
        }),
        'none',
      );
      if (!stream.headersSent) {
        const trailers: http2.OutgoingHttpHeaders = {
          ':status': 200,
          'content-type': 'application/grpc+proto',
          'grpc-status': String(status.code),
          'grpc-message': encodeURIComponent(status.details),
        };
        for (const [k, v] of Object.entries(status.metadata.toHttp2Headers())) trailers[k] = v;
        stream.respond(trailers, { endStream: true });
      }
      // The client never half-closed: reset its side too, or the stream would hold its slot.
      stream.close(http2.constants.NGHTTP2_NO_ERROR);
    }
  }
}

/**
 * A stream ended while its client does not read cannot send its trailers: they wait behind data
 * the client never takes, and the stream stays open. If it has not closed after graceMs, it is
 * reset (RST_STREAM CANCEL), which frees it at once.
 */
export function closeStuckStream(call: grpc.ServerWritableStream<unknown, unknown>, graceMs: number): void {
  const stream = streamOf(call);
  if (!stream || stream.closed) return;
  const timer = setTimeout(() => {
    if (!stream.closed && !stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
  }, graceMs);
  timer.unref();
  stream.once('close', () => clearTimeout(timer));
}

/**
 * The listening socket, ours rather than grpc-js's, so connections are bounded before any HTTP/2
 * is spoken: in all, per address, and in how long one may stay silent.
 */
export class ConnectionGate {
  /** Open connections by "address|port", oldest first (a Map keeps insertion order). */
  private readonly conns = new Map<string, { socket: net.Socket; calls: number }>();
  private readonly perPeer = new Map<string, number>();
  private refused = 0;
  private evicted = 0;
  private readonly server: net.Server;

  constructor(grpcServer: grpc.Server, limits: ConnectionLimits) {
    const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    // grpc-js keeps its HTTP/2 server private; raw headers and new streams are only on its 'stream' event.
    const http2Servers = (grpcServer as unknown as { http2Servers?: Map<http2.Http2Server, unknown> }).http2Servers;
    if (!http2Servers || http2Servers.size !== 1)
      throw new Error('grpc-js changed: its HTTP/2 server cannot be found to guard streams');
    const guard = new StreamGuard(limits.requestTimeoutMs);
    guard.onCall = (peer, delta) => {
      const c = this.conns.get(peer);
      if (c) c.calls += delta;
    };
    for (const h2 of http2Servers.keys()) h2.prependListener('stream', guard.onStream);
    this.server = net.createServer({ noDelay: true }, (socket) => {
      const address = socket.remoteAddress ?? '';
      if (
        (this.perPeer.get(address) ?? 0) >= limits.maxConnectionsPerPeer ||
        (this.conns.size >= limits.maxConnections && !this.evictIdle())
      ) {
        this.refused++;
        socket.destroy();
        return;
      }
      const key = `${address}|${socket.remotePort}`;
      this.conns.set(key, { socket, calls: 0 });
      this.perPeer.set(address, (this.perPeer.get(address) ?? 0) + 1);
      // A peer that never sends the 24-byte HTTP/2 preface only holds a place.
      const handshake = setTimeout(() => {
        if (socket.bytesRead < 24) socket.destroy();
      }, limits.handshakeMs);
      handshake.unref();
      socket.once('close', () => {
        clearTimeout(handshake);
        this.conns.delete(key);
        const left = (this.perPeer.get(address) ?? 1) - 1;
        if (left > 0) this.perPeer.set(address, left);
        else this.perPeer.delete(address);
      });
      injector.injectConnection(socket);
    });
  }

  /** Closes the oldest connection that has no call open; false when every connection is busy. */
  private evictIdle(): boolean {
    for (const c of this.conns.values()) {
      if (c.calls > 0) continue;
      this.evicted++;
      c.socket.destroy();
      return true;
    }
    return false;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting connections; open ones are closed by the gRPC server's shutdown. */
  close(): void {
    this.server.close();
  }

  get stats(): { open: number; refused: number; evicted: number } {
    return { open: this.conns.size, refused: this.refused, evicted: this.evicted };
  }
}
