package buildtovalue

import (
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
)

// FieldViolation names an invalid request field (google.rpc.BadRequest).
type FieldViolation struct {
	Field       string
	Description string
}

// Error is a failed call: its code, the server's ErrorInfo.reason (for example
// ERROR_REASON_INVALID_ARGUMENT) and the fields at fault. Enforce returns it
// for requests the caller must fix, and for outages without fail-closed.
type Error struct {
	Code            codes.Code
	Message         string
	Reason          string
	RequestID       string
	FieldViolations []FieldViolation
	// RetryDelay is google.rpc.RetryInfo's delay (zero when none was sent).
	RetryDelay time.Duration
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Reason, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// callerFault lists the codes that mean "the request is wrong": returned, never turned into a decision.
var callerFault = map[codes.Code]bool{
	codes.InvalidArgument: true, codes.PermissionDenied: true, codes.NotFound: true, codes.Unauthenticated: true,
	codes.FailedPrecondition: true, codes.OutOfRange: true, codes.Unimplemented: true,
}

// CallerFault reports whether the error is the caller's to fix.
func (e *Error) CallerFault() bool { return callerFault[e.Code] }

// fromRPC reads google.rpc.Status details. They are decoded from the wire here
// (three small messages) so the module needs no googleapis dependency.
func fromRPC(err error) *Error {
	st, _ := status.FromError(err)
	out := &Error{Code: st.Code(), Message: st.Message()}
	for _, d := range st.Proto().GetDetails() {
		switch d.GetTypeUrl() {
		case "type.googleapis.com/google.rpc.ErrorInfo":
			walk(d.GetValue(), func(n protowire.Number, v []byte) {
				switch n {
				case 1:
					out.Reason = string(v)
				case 3:
					var k, val string
					walk(v, func(n protowire.Number, b []byte) {
						if n == 1 {
							k = string(b)
						} else if n == 2 {
							val = string(b)
						}
					})
					if k == "request_id" {
						out.RequestID = val
					}
				}
			})
		case "type.googleapis.com/google.rpc.BadRequest":
			walk(d.GetValue(), func(n protowire.Number, v []byte) {
				if n != 1 {
					return
				}
				var fv FieldViolation
				walk(v, func(n protowire.Number, b []byte) {
					if n == 1 {
						fv.Field = string(b)
					} else if n == 2 {
						fv.Description = string(b)
					}
				})
				out.FieldViolations = append(out.FieldViolations, fv)
			})
		case "type.googleapis.com/google.rpc.RetryInfo":
			walk(d.GetValue(), func(n protowire.Number, v []byte) {
				if n == 1 {
					out.RetryDelay = duration(v)
				}
			})
		}
	}
	return out
}

// walk calls fn for every length-delimited field of a message; varints are
// skipped (none of the fields read above is one, except in duration).
func walk(b []byte, fn func(protowire.Number, []byte)) {
	for len(b) > 0 {
		n, t, l := protowire.ConsumeTag(b)
		if l < 0 {
			return
		}
		b = b[l:]
		if t == protowire.BytesType {
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return
			}
			fn(n, v)
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(n, t, b)
		if m < 0 {
			return
		}
		b = b[m:]
	}
}

// duration decodes google.protobuf.Duration{seconds = 1, nanos = 2}.
func duration(b []byte) time.Duration {
	var d time.Duration
	for len(b) > 0 {
		n, t, l := protowire.ConsumeTag(b)
		if l < 0 || t != protowire.VarintType {
			return d
		}
		b = b[l:]
		v, m := protowire.ConsumeVarint(b)
		if m < 0 {
			return d
		}
		b = b[m:]
		if n == 1 {
			d += time.Duration(int64(v)) * time.Second
		} else if n == 2 {
			d += time.Duration(int32(v))
		}
	}
	return d
}
