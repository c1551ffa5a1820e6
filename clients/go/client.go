// Package buildtovalue calls BuildToValue before every AI task. It fails
// closed: a system the watch cache knows to be stopped, suspended, in
// maintenance or decommissioning is Blocked without a call, and a service that
// cannot answer is Blocked with reason "CLIENT_FAIL_CLOSED: …".
//
//	c, err := buildtovalue.New("btv.internal:50051", token)
//	c.Watch()
//	r, err := c.Enforce(ctx, "credit-scoring", "production", buildtovalue.Input{Prompt: text})
//	if err != nil || !r.Allowed { return }
package buildtovalue

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	btvv1 "buildtovalue.dev/btv/clients/go/btvv1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// Option configures a Client.
type Option func(*options)

type options struct {
	failClosed bool
	timeout    time.Duration
	heartbeat  time.Duration
	dial       []grpc.DialOption
	creds      credentials.TransportCredentials
}

// WithFailClosed(false) makes Enforce return service failures as *Error instead of a Blocked result. Default true.
func WithFailClosed(on bool) Option { return func(o *options) { o.failClosed = on } }

// WithTimeout bounds one Enforce, retries included. Default 5 s.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithHeartbeatTimeout reopens a watch stream silent this long. Default 15 s (three server heartbeats).
func WithHeartbeatTimeout(d time.Duration) Option { return func(o *options) { o.heartbeat = d } }

// WithCredentials sets transport credentials (TLS); the default is plaintext.
func WithCredentials(c credentials.TransportCredentials) Option {
	return func(o *options) { o.creds = c }
}

// WithDialOptions adds dial options.
func WithDialOptions(d ...grpc.DialOption) Option {
	return func(o *options) { o.dial = append(o.dial, d...) }
}

// Message is one message the AI task will see. Role is system, user, assistant, tool or context.
type Message struct {
	Role    string
	Content string
}

// Input is what one Enforce evaluates: Prompt counts as one trailing user message.
type Input struct {
	Prompt       string
	Messages     []Message
	ArtifactType string
}

var roles = map[string]btvv1.MessageRole{
	"system": btvv1.MessageRole_MESSAGE_ROLE_SYSTEM, "user": btvv1.MessageRole_MESSAGE_ROLE_USER,
	"assistant": btvv1.MessageRole_MESSAGE_ROLE_ASSISTANT, "tool": btvv1.MessageRole_MESSAGE_ROLE_TOOL,
	"context": btvv1.MessageRole_MESSAGE_ROLE_CONTEXT,
}

// Client is safe for concurrent use.
type Client struct {
	conn       *grpc.ClientConn
	governance btvv1.GovernanceServiceClient
	operations btvv1.OperationsServiceClient
	token      string
	o          options
	watch      atomic.Pointer[statusWatch]
}

// New connects lazily to target ("host:port").
func New(target, token string, opts ...Option) (*Client, error) {
	o := options{failClosed: true, timeout: 5 * time.Second, heartbeat: 15 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	// A lost connection is retried quickly, so a restarted server is reached again in well under a second.
	security := grpc.WithInsecure()
	if o.creds != nil {
		security = grpc.WithTransportCredentials(o.creds)
	}
	dial := append([]grpc.DialOption{
		security,
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 2 * time.Second}, MinConnectTimeout: 2 * time.Second}),
	}, o.dial...)
	conn, err := grpc.Dial(target, dial...)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, governance: btvv1.NewGovernanceServiceClient(conn), operations: btvv1.NewOperationsServiceClient(conn), token: token, o: o}, nil
}

func (c *Client) withAuth(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
}

// Enforce asks whether a task may run. It returns an *Error only for the
// caller's mistakes (INVALID_ARGUMENT, PERMISSION_DENIED, NOT_FOUND,
// UNAUTHENTICATED …) and, without fail-closed, for outages; never Approved on failure.
func (c *Client) Enforce(ctx context.Context, systemID, env string, in Input) (*Result, error) {
	if w := c.watch.Load(); w != nil {
		if e, ok := w.get(systemID); ok && e.block != nil {
			// A copy: a caller that changes its result must not change the next caller's.
			r := *e.block
			r.Decision = proto.Clone(e.block.Decision).(*btvv1.Decision)
			return &r, nil
		}
	}
	req := &btvv1.EnforceRequest{SystemId: systemID, Env: env, Prompt: in.Prompt, ArtifactType: in.ArtifactType}
	for _, m := range in.Messages {
		// An unknown role goes out as UNSPECIFIED: the server refuses it naming the message.
		req.Messages = append(req.Messages, &btvv1.Message{Role: roles[m.Role], Content: m.Content})
	}
	ctx, cancel := context.WithTimeout(ctx, c.o.timeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		res, err := c.governance.Enforce(c.withAuth(ctx), req)
		if err == nil {
			if res.GetDecision() == nil {
				return c.outage(systemID, &Error{Code: codes.Internal, Message: "response without a decision"})
			}
			return fromDecision(res.GetDecision()), nil
		}
		e := fromRPC(err)
		if e.CallerFault() {
			return nil, e
		}
		// A rate limit is retried once, after the delay the server asked for, when the deadline allows it.
		if dl, _ := ctx.Deadline(); e.Code == codes.ResourceExhausted && attempt == 0 && e.RetryDelay > 0 && time.Now().Add(e.RetryDelay).Before(dl.Add(-50*time.Millisecond)) {
			select {
			case <-time.After(e.RetryDelay):
				continue
			case <-ctx.Done():
			}
		}
		return c.outage(systemID, e)
	}
}

func (c *Client) outage(systemID string, e *Error) (*Result, error) {
	if !c.o.failClosed {
		return nil, e
	}
	return failClosed(systemID, e), nil
}

// Watch starts the status cache over WatchSystemStatus (every system of the tenant without ids).
func (c *Client) Watch(systemIDs ...string) error {
	if w := c.watch.Load(); w != nil && !w.snapshot().Stopped {
		return errors.New("buildtovalue: Watch is already running")
	}
	c.watch.Store(startWatch(c.operations, c.withAuth, systemIDs, c.o.heartbeat))
	return nil
}

// Status is what the watch cache holds for a system.
func (c *Client) Status(systemID string) (SystemStatus, bool) {
	w := c.watch.Load()
	if w == nil {
		return SystemStatus{}, false
	}
	e, ok := w.get(systemID)
	return e.status, ok
}

// WatchState describes the watch stream (zero without Watch).
func (c *Client) WatchState() WatchState {
	if w := c.watch.Load(); w != nil {
		return w.snapshot()
	}
	return WatchState{}
}

// Close stops the watch and closes the connection.
func (c *Client) Close() error {
	if w := c.watch.Load(); w != nil {
		w.stop()
	}
	return c.conn.Close()
}
