// Command go_agent is the test agent for clients/go (protocol: ../README.md).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	buildtovalue "buildtovalue.dev/btv/clients/go"
)

type cmd struct {
	Op        string                 `json:"op"`
	Target    string                 `json:"target"`
	Token     string                 `json:"token"`
	TimeoutMs int                    `json:"timeout_ms"`
	SystemIDs []string               `json:"system_ids"`
	SystemID  string                 `json:"system_id"`
	Env       string                 `json:"env"`
	Prompt    string                 `json:"prompt"`
	Messages  []buildtovalue.Message `json:"messages"`
	Status    string                 `json:"status"`
}

var client *buildtovalue.Client

func handle(c cmd) map[string]interface{} {
	switch c.Op {
	case "open":
		var err error
		client, err = buildtovalue.New(c.Target, c.Token, buildtovalue.WithTimeout(time.Duration(c.TimeoutMs)*time.Millisecond))
		if err != nil {
			return map[string]interface{}{"ok": false, "error": err.Error()}
		}
		return map[string]interface{}{"ok": true}
	case "watch":
		if err := client.Watch(c.SystemIDs...); err != nil {
			return map[string]interface{}{"ok": false, "error": err.Error()}
		}
		return map[string]interface{}{"ok": true}
	case "enforce":
		r, err := client.Enforce(context.Background(), c.SystemID, c.Env, buildtovalue.Input{Prompt: c.Prompt, Messages: c.Messages})
		var e *buildtovalue.Error
		if errors.As(err, &e) {
			fields := []string{}
			for _, v := range e.FieldViolations {
				fields = append(fields, v.Field)
			}
			return map[string]interface{}{"ok": false, "code": codeName(e), "reason": e.Reason, "fields": fields}
		} else if err != nil {
			return map[string]interface{}{"ok": false, "error": err.Error()}
		}
		return map[string]interface{}{"ok": true, "outcome": r.Outcome, "allowed": r.Allowed, "reason": r.Reason, "source": r.Source, "decision_id": r.Decision.GetDecisionId()}
	case "wait_status":
		until := time.Now().Add(time.Duration(c.TimeoutMs) * time.Millisecond)
		for {
			s, ok := client.Status(c.SystemID)
			if ok && s.OperationalStatus == c.Status {
				return map[string]interface{}{"ok": true, "status": s.OperationalStatus, "phase": s.LifecyclePhase, "revision": s.Revision}
			}
			if time.Now().After(until) {
				return map[string]interface{}{"ok": false, "error": "timeout", "status": s.OperationalStatus}
			}
			time.Sleep(time.Millisecond)
		}
	case "state":
		s := client.WatchState()
		return map[string]interface{}{"ok": true, "connected": s.Connected, "revision": s.Revision, "reconnects": s.Reconnects}
	case "close":
		if client != nil {
			client.Close()
			client = nil
		}
		return map[string]interface{}{"ok": true}
	}
	return map[string]interface{}{"ok": false, "error": "unknown op " + c.Op}
}

// codeName spells a code as the other languages do (INVALID_ARGUMENT, not InvalidArgument).
func codeName(e *buildtovalue.Error) string {
	names := map[string]string{
		"InvalidArgument": "INVALID_ARGUMENT", "PermissionDenied": "PERMISSION_DENIED", "NotFound": "NOT_FOUND",
		"Unauthenticated": "UNAUTHENTICATED", "FailedPrecondition": "FAILED_PRECONDITION", "OutOfRange": "OUT_OF_RANGE",
		"Unimplemented": "UNIMPLEMENTED", "Unavailable": "UNAVAILABLE", "DeadlineExceeded": "DEADLINE_EXCEEDED",
		"ResourceExhausted": "RESOURCE_EXHAUSTED", "Internal": "INTERNAL",
	}
	if n, ok := names[e.Code.String()]; ok {
		return n
	}
	return e.Code.String()
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var c cmd
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			fmt.Fprintln(os.Stderr, "go_agent:", err)
			os.Exit(2)
		}
		_ = out.Encode(handle(c))
	}
	if client != nil {
		client.Close()
	}
}
