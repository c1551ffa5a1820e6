package dev.buildtovalue.client;

import btv.v1.Operations;
import btv.v1.OperationsServiceGrpc;
import btv.v1.Types;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The WatchSystemStatus stream behind the status cache: snapshot, then changes in revision order;
 * on any break it reopens with since_revision after a backoff, so no change is missed. A stream
 * silent for the heartbeat timeout is cancelled as dead.
 */
final class StatusWatch {
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 5000;

  /** One cached system: its status and the precomputed blocked answer (null: only the server decides). */
  static final class Entry {
    final SystemStatus status;
    final EnforceResult block;

    Entry(SystemStatus status) {
      this.status = status;
      this.block = EnforceResult.cachedBlock(status);
    }
  }

  private final Map<String, Entry> cache = new ConcurrentHashMap<>();
  private final OperationsServiceGrpc.OperationsServiceStub ops;
  private final ManagedChannel channel;
  private final List<String> systemIds;
  private final long heartbeatTimeoutMs;
  private final ScheduledExecutorService timers;

  volatile boolean connected;
  volatile long revision;
  volatile int reconnects;
  volatile BuildToValueException lastError;
  volatile boolean stopped;
  private volatile long lastMessage = System.nanoTime();
  private volatile Context.CancellableContext call;
  private long backoffMs = MIN_BACKOFF_MS;

  StatusWatch(OperationsServiceGrpc.OperationsServiceStub ops, ManagedChannel channel, List<String> systemIds, long heartbeatTimeoutMs, ScheduledExecutorService timers) {
    this.ops = ops;
    this.channel = channel;
    this.systemIds = systemIds;
    this.heartbeatTimeoutMs = heartbeatTimeoutMs;
    this.timers = timers;
    // Builds one blocked answer now: loading the Decision classes on a cold JVM costs tens of
    // milliseconds, which the first stop would otherwise pay before the cache holds it.
    EnforceResult.failClosed("", "warm-up");
    long check = Math.max(10, Math.min(1000, heartbeatTimeoutMs / 3));
    timers.scheduleWithFixedDelay(this::checkIdle, check, check, TimeUnit.MILLISECONDS);
    open();
  }

  Entry get(String systemId) {
    return cache.get(systemId);
  }

  synchronized void stop() {
    stopped = true;
    connected = false;
    if (call != null) call.cancel(null);
  }

  private synchronized void open() {
    if (stopped) return;
    Context.CancellableContext ctx = Context.current().withCancellation();
    call = ctx;
    lastMessage = System.nanoTime();
    Operations.WatchSystemStatusRequest req = Operations.WatchSystemStatusRequest.newBuilder().addAllSystemIds(systemIds).setSinceRevision(revision).build();
    ctx.run(() -> ops.watchSystemStatus(req, new StreamObserver<Operations.WatchSystemStatusResponse>() {
      @Override
      public void onNext(Operations.WatchSystemStatusResponse r) {
        if (call != ctx) return;
        lastMessage = System.nanoTime();
        connected = true;
        synchronized (StatusWatch.this) {
          backoffMs = MIN_BACKOFF_MS;
        }
        Types.StatusEvent e = r.getEvent();
        switch (e.getType()) {
          case STATUS_EVENT_TYPE_SNAPSHOT:
          case STATUS_EVENT_TYPE_CHANGE:
            cache.put(e.getSystemId(), new Entry(new SystemStatus(e)));
            break;
          default:
            break;
        }
        if (e.getRevision() > revision) revision = e.getRevision();
      }

      @Override
      public void onError(Throwable t) {
        broken(ctx, t);
      }

      @Override
      public void onCompleted() {
        broken(ctx, null);
      }
    }));
  }

  private synchronized void broken(Context.CancellableContext ctx, Throwable t) {
    if (call != ctx || stopped) return;
    call = null;
    connected = false;
    long delay = backoffMs;
    if (t != null) {
      BuildToValueException e = BuildToValueException.from(t);
      lastError = e;
      if (e.code() == Status.Code.OUT_OF_RANGE) {
        // The change log no longer reaches back to our revision: start over from a snapshot.
        revision = 0;
        delay = 0;
      } else if (e.callerFault()) {
        // A bad token or an unknown system cannot succeed on retry; the cache stays (it only ever blocks).
        stopped = true;
        return;
      }
    }
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    // Jitter, so a fleet of clients does not reconnect in lockstep after a server restart.
    long jittered = (long) (delay * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
    timers.schedule(() -> {
      reconnects++;
      // The channel's own backoff after a lost connection can reach minutes: ours decides.
      channel.resetConnectBackoff();
      open();
    }, jittered, TimeUnit.MILLISECONDS);
  }

  private void checkIdle() {
    Context.CancellableContext c = call;
    if (c != null && System.nanoTime() - lastMessage > TimeUnit.MILLISECONDS.toNanos(heartbeatTimeoutMs)) {
      c.cancel(Status.DEADLINE_EXCEEDED.withDescription("no heartbeat").asRuntimeException());
    }
  }
}
