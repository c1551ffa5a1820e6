import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { DomainError } from '../domain/errors';
import { toGrpcStatus } from './errors';

export interface ConnectionLimits {
  /** BTV_MAX_CONNECTIONS: open TCP connections; one more is closed at once. */
  maxConnections: number;
  /** BTV_MAX_STREAMS_PER_CONNECTION: concurrent calls on one HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS). */
  maxStreamsPerConnection: number;
  /** BTV_REQUEST_TIMEOUT_MS: a call whose request message has not arrived this long after its headers is ended. */
  requestTimeoutMs: number;
  /** BTV_CONNECTION_IDLE_MS: a connection with no call for this long is closed (GOAWAY). */
  connectionIdleMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1000,
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

/** The HTTP/2 stream of each call, so a call that cannot finish can be reset (see closeStuckStream). */
const streams = new WeakMap<object, http2.ServerHttp2Stream>();
/**
 * Streams that arrived with more than one authorization header. Node keeps only the first in the
 * headers grpc-js reads, so a proxy that checked the second would be talked past: such calls are
 * refused before any handler, from the raw header list only the HTTP/2 server sees.
 */
const duplicateAuthorization = new WeakSet<http2.ServerHttp2Stream>();

function noteDuplicateAuthorization(stream: http2.ServerHttp2Stream, _headers: unknown, _flags: unknown, raw: string[]): void {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === 'authorization') n++;
  if (n > 1) duplicateAuthorization.add(stream);
}

const refusal = (e: DomainError): Parameters<grpc.ServerInterceptingCallInterface['sendStatus']>[0] => {
  const status = toGrpcStatus(e, 'none');
  return { code: status.code, details: status.details, metadata: status.metadata };
};

/**
 * The one interceptor: it ends a call whose request message does not arrive in time (a client
 * that sent only headers would otherwise hold its stream, and the memory behind it, forever), and
 * remembers each call's HTTP/2 stream. Only the wait for the first message is bounded: a handler
 * may take as long as it needs once it has its request.
 */
export function callGuard(requestTimeoutMs: number): grpc.ServerInterceptor {
  return (_method, call) => {
    // grpc-js hands the first interceptor its base call, which holds the HTTP/2 stream.
    const stream = (call as unknown as { stream?: http2.ServerHttp2Stream }).stream;
    let timer: NodeJS.Timeout | undefined;
    const clear = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    };
    const intercepting = new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        if (stream && duplicateAuthorization.has(stream)) {
          next({});
          call.sendStatus(refusal(new DomainError('unauthenticated', 'TOKEN_MALFORMED', 'more than one authorization header')));
          return;
        }
        timer = setTimeout(() => {
          timer = undefined;
          call.sendStatus(refusal(new DomainError('deadline_exceeded', 'REQUEST_TIMEOUT', `the request message did not arrive within ${requestTimeoutMs} ms of the call's headers`)));
          // The client never half-closed: reset its side too, or the stream would hold its slot.
          setImmediate(() => stream && !stream.closed && stream.close(http2.constants.NGHTTP2_NO_ERROR));
        }, requestTimeoutMs);
        next({
          onReceiveMessage: (message, nextMessage) => {
            clear();
            nextMessage(message);
          },
          onReceiveHalfClose: (nextHalfClose) => {
            clear();
            nextHalfClose();
          },
          onCancel: clear,
        });
      },
    });
    if (stream) streams.set(intercepting, stream);
    return intercepting;
  };
}

/**
 * A stream ended while its client does not read cannot send its trailers: they wait behind data
 * the client never takes, and the stream stays open. If it has not closed after graceMs, it is
 * reset (RST_STREAM CANCEL), which frees it at once.
 */
export function closeStuckStream(call: grpc.ServerWritableStream<unknown, unknown>, graceMs: number): void {
  const intercepting = (call as unknown as { call?: object }).call;
  const stream = intercepting && streams.get(intercepting);
  if (!stream || stream.closed) return;
  const timer = setTimeout(() => {
    if (!stream.closed && !stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
  }, graceMs);
  timer.unref();
  stream.once('close', () => clearTimeout(timer));
}

/**
 * The listening socket, ours rather than grpc-js's, so the number of open connections is bounded:
 * one over the limit is closed before any HTTP/2 is spoken.
 */
export class ConnectionGate {
  private open = 0;
  private refused = 0;
  private readonly server: net.Server;

  constructor(grpcServer: grpc.Server, maxConnections: number) {
    const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    // grpc-js keeps its HTTP/2 servers private; the raw headers are only on their 'stream' event.
    const http2Servers = (grpcServer as unknown as { http2Servers?: Map<http2.Http2Server, unknown> }).http2Servers;
    if (!http2Servers) throw new Error('grpc-js changed: its HTTP/2 servers cannot be found to check raw headers');
    for (const h2 of http2Servers.keys()) if (!h2.listeners('stream').includes(noteDuplicateAuthorization)) h2.prependListener('stream', noteDuplicateAuthorization);
    this.server = net.createServer({ noDelay: true }, (socket) => {
      if (this.open >= maxConnections) {
        this.refused++;
        socket.destroy();
        return;
      }
      this.open++;
      socket.once('close', () => this.open--);
      injector.injectConnection(socket);
    });
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

  get stats(): { open: number; refused: number } {
    return { open: this.open, refused: this.refused };
  }
}
