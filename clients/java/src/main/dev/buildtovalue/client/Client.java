package dev.buildtovalue.client;

import btv.v1.Governance;
import btv.v1.GovernanceServiceGrpc;
import btv.v1.OperationsServiceGrpc;
import btv.v1.Types;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Client calls BuildToValue before every AI task, and fails closed: a system the watch cache knows
 * to be stopped, suspended, in maintenance or decommissioning is BLOCKED without a call, and a
 * service that cannot answer is BLOCKED with reason "CLIENT_FAIL_CLOSED: …". Thread-safe.
 *
 * <pre>
 * try (Client client = Client.builder("btv.internal:50051", token).build()) {
 *   client.watch();
 *   EnforceResult r = client.enforce("credit-scoring", "production", text);
 *   if (!r.allowed()) return;
 * }
 * </pre>
 */
public final class Client implements AutoCloseable {
  /** One message the AI task will see; role is system, user, assistant, tool or context. */
  public static final class Message {
    final String role;
    final String content;

    public Message(String role, String content) {
      this.role = role;
      this.content = content;
    }
  }

  /** Builder: failClosed (default true), timeout (5 s), heartbeatTimeout (15 s), plaintext unless useTransportSecurity(). */
  public static final class Builder {
    private final String target;
    private final String token;
    private boolean failClosed = true;
    private Duration timeout = Duration.ofSeconds(5);
    private Duration heartbeatTimeout = Duration.ofSeconds(15);
    private boolean tls;

    private Builder(String target, String token) {
      this.target = target;
      this.token = token;
    }

    public Builder failClosed(boolean on) {
      this.failClosed = on;
      return this;
    }

    public Builder timeout(Duration d) {
      this.timeout = d;
      return this;
    }

    public Builder heartbeatTimeout(Duration d) {
      this.heartbeatTimeout = d;
      return this;
    }

    public Builder useTransportSecurity() {
      this.tls = true;
      return this;
    }

    public Client build() {
      return new Client(this);
    }
  }

  public static Builder builder(String target, String token) {
    return new Builder(target, token);
  }

  private static final Map<String, Types.MessageRole> ROLES = Map.of(
      "system", Types.MessageRole.MESSAGE_ROLE_SYSTEM, "user", Types.MessageRole.MESSAGE_ROLE_USER,
      "assistant", Types.MessageRole.MESSAGE_ROLE_ASSISTANT, "tool", Types.MessageRole.MESSAGE_ROLE_TOOL,
      "context", Types.MessageRole.MESSAGE_ROLE_CONTEXT);

  private final ManagedChannel channel;
  private final GovernanceServiceGrpc.GovernanceServiceBlockingStub governance;
  private final OperationsServiceGrpc.OperationsServiceStub operations;
  private final boolean failClosed;
  private final Duration timeout;
  private final Duration heartbeatTimeout;
  private final ScheduledExecutorService timers;
  private volatile StatusWatch watch;

  private Client(Builder b) {
    ManagedChannelBuilder<?> cb = ManagedChannelBuilder.forTarget(b.target);
    channel = (b.tls ? cb.useTransportSecurity() : cb.usePlaintext()).build();
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + b.token);
    governance = GovernanceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    operations = OperationsServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    failClosed = b.failClosed;
    timeout = b.timeout;
    heartbeatTimeout = b.heartbeatTimeout;
    timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "buildtovalue-watch");
      t.setDaemon(true);
      return t;
    });
  }

  /** Asks whether a task may run, with a prompt. */
  public EnforceResult enforce(String systemId, String env, String prompt) {
    return enforce(systemId, env, prompt, Collections.emptyList());
  }

  /**
   * Asks whether a task may run. Throws BuildToValueException only for the caller's mistakes
   * (INVALID_ARGUMENT, PERMISSION_DENIED, NOT_FOUND, UNAUTHENTICATED …) and, without fail-closed,
   * for outages; a failure is never APPROVED.
   */
  public EnforceResult enforce(String systemId, String env, String prompt, List<Message> messages) {
    StatusWatch w = watch;
    if (w != null) {
      StatusWatch.Entry e = w.get(systemId);
      if (e != null && e.block != null) return e.block;
    }
    Governance.EnforceRequest.Builder req = Governance.EnforceRequest.newBuilder().setSystemId(systemId).setEnv(env);
    if (prompt != null) req.setPrompt(prompt);
    for (Message m : messages) {
      // An unknown role goes out as UNSPECIFIED: the server refuses it naming the message.
      req.addMessages(Types.Message.newBuilder().setRole(ROLES.getOrDefault(m.role, Types.MessageRole.MESSAGE_ROLE_UNSPECIFIED)).setContent(m.content));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int attempt = 0; ; attempt++) {
      try {
        Governance.EnforceResponse res = governance.withDeadlineAfter(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).enforce(req.build());
        if (!res.hasDecision()) return outage(systemId, new BuildToValueException(io.grpc.Status.Code.INTERNAL, "response without a decision", "", "", new ArrayList<>(), null));
        return EnforceResult.fromDecision(res.getDecision());
      } catch (StatusRuntimeException t) {
        BuildToValueException e = BuildToValueException.from(t);
        if (e.callerFault()) throw e;
        // A rate limit is retried once, after the delay the server asked for, when the deadline allows it.
        Duration d = e.retryDelay();
        // A delay below zero or beyond the deadline (toNanos would overflow past ~292 years) is not waited for: the answer is BLOCKED.
        boolean waitable = d != null && !d.isNegative() && d.compareTo(timeout) < 0;
        if (e.code() == io.grpc.Status.Code.RESOURCE_EXHAUSTED && attempt == 0 && waitable && System.nanoTime() + d.toNanos() < deadline - 50_000_000L) {
          try {
            Thread.sleep(d.toMillis());
            continue;
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
        }
        return outage(systemId, e);
      }
    }
  }

  private EnforceResult outage(String systemId, BuildToValueException e) {
    if (!failClosed) throw e;
    return EnforceResult.failClosed(systemId, e.getMessage());
  }

  /** Starts the status cache over WatchSystemStatus for every system of the tenant. */
  public synchronized void watch() {
    watch(Collections.emptyList());
  }

  /** Starts the status cache over WatchSystemStatus for these systems (empty: every system). */
  public synchronized void watch(List<String> systemIds) {
    if (watch != null && !watch.stopped) throw new IllegalStateException("watch() is already running");
    watch = new StatusWatch(operations, channel, new ArrayList<>(systemIds), heartbeatTimeout.toMillis(), timers);
  }

  /** What the watch cache holds for a system. */
  public Optional<SystemStatus> status(String systemId) {
    StatusWatch w = watch;
    StatusWatch.Entry e = w == null ? null : w.get(systemId);
    return e == null ? Optional.empty() : Optional.of(e.status);
  }

  public boolean watchConnected() {
    StatusWatch w = watch;
    return w != null && w.connected;
  }

  /** The tenant revision the cache is current to (0 before a snapshot). */
  public long watchRevision() {
    StatusWatch w = watch;
    return w == null ? 0 : w.revision;
  }

  public int watchReconnects() {
    StatusWatch w = watch;
    return w == null ? 0 : w.reconnects;
  }

  /** The watch stream's last error (a caller-fault error stops the watch), or null. */
  public BuildToValueException watchError() {
    StatusWatch w = watch;
    return w == null ? null : w.lastError;
  }

  @Override
  public void close() {
    StatusWatch w = watch;
    if (w != null) w.stop();
    timers.shutdownNow();
    channel.shutdownNow();
  }
}
