import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { EnforceRequest, EnforceResponse, GovernanceServiceClient } from './gen/btv/v1/governance';
import { OperationsServiceClient } from './gen/btv/v1/operations';
import { Message, MessageRole } from './gen/btv/v1/types';
import { BuildToValueError, errorDetails, isCallerFault } from './errors';
import { EnforceResult, failClosed, fromDecision, SystemStatus } from './status';
import { acquireWatch, releaseWatch, StatusWatch, WatchState } from './watch';

export interface ClientOptions {
  /** Answer BLOCKED (`CLIENT_FAIL_CLOSED: …`) when the service cannot answer, instead of throwing. Default true. */
  failClosed?: boolean;
  /** Deadline of one `enforce`, retries included. Default 5000 ms. */
  timeoutMs?: number;
  /** Channel credentials; default plaintext (use `grpc.credentials.createSsl()` beyond localhost). */
  credentials?: grpc.ChannelCredentials;
  /** A watch stream silent this long is reopened. Default 15000 ms (three server heartbeats). */
  heartbeatTimeoutMs?: number;
  channelOptions?: grpc.ChannelOptions;
  /** Share one watch stream with the other Clients of this process that have the same target, token, credentials and systems. Default true. */
  shareWatch?: boolean;
}

// Credentials objects have no value identity: sharing is keyed by the object.
const credentialIds = new WeakMap<grpc.ChannelCredentials, number>();
let nextCredentialId = 1;
const credentialId = (c: grpc.ChannelCredentials) => {
  let id = credentialIds.get(c);
  if (id === undefined) credentialIds.set(c, (id = nextCredentialId++));
  return id;
};

export type Role = 'system' | 'user' | 'assistant' | 'tool' | 'context';

export interface EnforceInput {
  prompt?: string;
  /** What the AI task will see, in order; `prompt` counts as one trailing user message. */
  messages?: { role: Role | MessageRole; content: string }[];
  artifactType?: string;
}

const ROLES: Record<Role, MessageRole> = {
  system: MessageRole.MESSAGE_ROLE_SYSTEM,
  user: MessageRole.MESSAGE_ROLE_USER,
  assistant: MessageRole.MESSAGE_ROLE_ASSISTANT,
  tool: MessageRole.MESSAGE_ROLE_TOOL,
  context: MessageRole.MESSAGE_ROLE_CONTEXT,
};

// An unknown role is sent as UNSPECIFIED: the server refuses it naming the message (INVALID_ARGUMENT).
const toMessage = (m: { role: Role | MessageRole; content: string }): Message => ({
  role: typeof m.role === 'number' ? m.role : (ROLES[m.role] ?? MessageRole.MESSAGE_ROLE_UNSPECIFIED),
  content: m.content,
});

// A lost connection is retried quickly, so a restarted server is reached again in well under a
// second (gRPC's default starts at 1 s and grows to 120 s).
const CHANNEL_DEFAULTS: grpc.ChannelOptions = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 2000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Client calls BuildToValue before every AI task. It fails closed: a stopped system (known from
 * the watch cache) is BLOCKED without a call, and a service that cannot answer is BLOCKED too.
 *
 * Events: `change` (SystemStatus) for every status the watch receives.
 */
export class Client extends EventEmitter {
  private readonly governance: GovernanceServiceClient;
  private readonly failClosed: boolean;
  private readonly timeoutMs: number;
  private readonly heartbeatTimeoutMs: number;
  private watcher?: StatusWatch;
  private watchKey = '';
  private readonly onStatus = (s: SystemStatus) => this.emit('change', s);

  constructor(
    private readonly target: string,
    private readonly token: string,
    private readonly o: ClientOptions = {},
  ) {
    super();
    this.failClosed = o.failClosed ?? true;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.heartbeatTimeoutMs = o.heartbeatTimeoutMs ?? 15000;
    this.governance = new GovernanceServiceClient(target, o.credentials ?? grpc.credentials.createInsecure(), { ...CHANNEL_DEFAULTS, ...o.channelOptions });
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${this.token}`);
    return md;
  }

  /** Asks whether a task may run. Throws BuildToValueError only for the caller's mistakes (and, without failClosed, outages). */
  async enforce(systemId: string, env: string, input: EnforceInput = {}): Promise<EnforceResult> {
    const cached = this.watcher?.block(systemId);
    if (cached) return cached;
    const req: EnforceRequest = {
      systemId,
      env,
      prompt: input.prompt ?? '',
      artifactType: input.artifactType ?? '',
      messages: (input.messages ?? []).map(toMessage),
    };
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.unary(req, deadline);
        if (!res.decision) return this.outage(systemId, new BuildToValueError({ code: grpc.status.INTERNAL, message: 'response without a decision', reason: '', requestId: '', fieldViolations: [] }));
        return fromDecision(res.decision);
      } catch (e) {
        const err = e as grpc.ServiceError;
        const d = errorDetails(err);
        if (isCallerFault(d.code)) throw new BuildToValueError(d);
        // A rate limit is retried once, after the delay the server asked for, when the deadline allows it.
        if (d.code === grpc.status.RESOURCE_EXHAUSTED && attempt === 0 && d.retryDelayMs !== undefined && Date.now() + d.retryDelayMs < deadline - 50) {
          await sleep(d.retryDelayMs);
          continue;
        }
        return this.outage(systemId, new BuildToValueError(d));
      }
    }
  }

  private outage(systemId: string, err: BuildToValueError): EnforceResult {
    if (!this.failClosed) throw err;
    return failClosed(systemId, err.message);
  }

  private unary(req: EnforceRequest, deadline: number): Promise<EnforceResponse> {
    return new Promise((resolve, reject) => {
      this.governance.enforce(req, this.metadata(), { deadline }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  /** Starts the status cache over WatchSystemStatus (every system of the tenant when systemIds is empty). */
  watch(systemIds: string[] = []): void {
    if (this.watcher && !this.watcher.state.stopped) throw new Error('watch() is already running');
    const ids = [...new Set(systemIds)].sort();
    const create = () =>
      // Its own channel: a shared watch outlives the Client that opened it.
      new StatusWatch(
        new OperationsServiceClient(this.target, this.o.credentials ?? grpc.credentials.createInsecure(), { ...CHANNEL_DEFAULTS, ...this.o.channelOptions }),
        () => this.metadata(),
        ids,
        { heartbeatTimeoutMs: this.heartbeatTimeoutMs, minBackoffMs: 50, maxBackoffMs: 5000 },
      );
    if (this.o.shareWatch === false) {
      this.watchKey = '';
      this.watcher = create();
    } else {
      this.watchKey = JSON.stringify([this.target, this.token, this.o.credentials ? credentialId(this.o.credentials) : 0, this.o.channelOptions ?? {}, this.heartbeatTimeoutMs, ids]);
      this.watcher = acquireWatch(this.watchKey, create);
    }
    this.watcher.listeners.add(this.onStatus);
  }

  /** What the watch cache knows about a system (undefined before a snapshot or without watch()). */
  status(systemId: string): SystemStatus | undefined {
    return this.watcher?.get(systemId);
  }

  get watchState(): WatchState | undefined {
    return this.watcher?.state;
  }

  close(): void {
    const w = this.watcher;
    if (w) {
      w.listeners.delete(this.onStatus);
      if (this.watchKey) releaseWatch(this.watchKey, w);
      else w.stop();
    }
    this.governance.close();
  }
}
