package buildtovalue

import (
	"context"
	"math/rand"
	"sync"
	"time"

	btvv1 "buildtovalue.dev/btv/clients/go/btvv1"
	"google.golang.org/grpc/codes"
)

// WatchState describes the status stream.
type WatchState struct {
	Connected bool
	// Revision is the tenant revision the cache is current to; a new stream resumes after it.
	Revision   uint64
	Reconnects int
	// LastError is the stream's last error; a caller-fault error (bad token, unknown system) stops the watch.
	LastError error
	Stopped   bool
}

type entry struct {
	status SystemStatus
	block  *Result // precomputed, so a cached answer costs one map lookup
}

// statusWatch is the WatchSystemStatus stream behind the cache: snapshot, then
// changes in revision order; on any break it reopens with since_revision
// after a backoff, so no change is missed.
type statusWatch struct {
	ops       btvv1.OperationsServiceClient
	ctx       func(context.Context) context.Context
	systemIDs []string
	heartbeat time.Duration

	mu     sync.RWMutex
	cache  map[string]entry
	state  WatchState
	cancel context.CancelFunc
	done   chan struct{}
}

func startWatch(ops btvv1.OperationsServiceClient, withAuth func(context.Context) context.Context, systemIDs []string, heartbeat time.Duration) *statusWatch {
	ctx, cancel := context.WithCancel(context.Background())
	w := &statusWatch{ops: ops, ctx: withAuth, systemIDs: systemIDs, heartbeat: heartbeat, cache: map[string]entry{}, cancel: cancel, done: make(chan struct{})}
	go w.run(ctx)
	return w
}

func (w *statusWatch) get(systemID string) (entry, bool) {
	w.mu.RLock()
	e, ok := w.cache[systemID]
	w.mu.RUnlock()
	return e, ok
}

func (w *statusWatch) snapshot() WatchState {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.state
}

func (w *statusWatch) stop() {
	w.cancel()
	<-w.done
}

func (w *statusWatch) run(ctx context.Context) {
	defer close(w.done)
	defer func() {
		w.mu.Lock()
		w.state.Stopped, w.state.Connected = true, false
		w.mu.Unlock()
	}()
	const minBackoff, maxBackoff = 50 * time.Millisecond, 5 * time.Second
	backoff := minBackoff
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			w.mu.Lock()
			w.state.Reconnects++
			w.mu.Unlock()
		}
		delay := backoff
		err := w.stream(ctx, func() { backoff = minBackoff })
		w.mu.Lock()
		w.state.Connected = false
		if err != nil && ctx.Err() == nil {
			e := fromRPC(err)
			w.state.LastError = e
			if e.Code == codes.OutOfRange {
				// The change log no longer reaches back to our revision: start over from a snapshot.
				w.state.Revision, delay = 0, 0
			} else if e.CallerFault() {
				// Retrying a bad token or an unknown system cannot succeed; the cache stays (it only ever blocks).
				w.mu.Unlock()
				return
			}
		}
		w.mu.Unlock()
		if backoff *= 2; backoff > maxBackoff {
			backoff = maxBackoff
		}
		// Jitter, so a fleet of clients does not reconnect in lockstep after a server restart.
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(float64(delay) * (0.8 + 0.4*rand.Float64()))):
		}
	}
}

// stream runs one WatchSystemStatus call until it breaks; a stream silent for
// the heartbeat timeout is cancelled as dead.
func (w *statusWatch) stream(parent context.Context, healthy func()) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	idle := time.AfterFunc(w.heartbeat, cancel)
	defer idle.Stop()
	w.mu.RLock()
	req := &btvv1.WatchSystemStatusRequest{SystemIds: w.systemIDs, SinceRevision: w.state.Revision}
	w.mu.RUnlock()
	s, err := w.ops.WatchSystemStatus(w.ctx(ctx), req)
	if err != nil {
		return err
	}
	for {
		r, err := s.Recv()
		if err != nil {
			if parent.Err() == nil && ctx.Err() != nil {
				return nil // idle timeout: reopen
			}
			return err
		}
		idle.Reset(w.heartbeat)
		healthy()
		e := r.GetEvent()
		w.mu.Lock()
		w.state.Connected = true
		switch e.GetType() {
		case btvv1.StatusEventType_STATUS_EVENT_TYPE_SNAPSHOT, btvv1.StatusEventType_STATUS_EVENT_TYPE_CHANGE:
			st := toStatus(e)
			w.cache[st.SystemID] = entry{status: st, block: cachedBlock(st)}
		}
		if e.GetRevision() > w.state.Revision {
			w.state.Revision = e.GetRevision()
		}
		w.mu.Unlock()
	}
}
