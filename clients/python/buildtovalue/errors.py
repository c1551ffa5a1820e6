"""BuildToValueError: raised for calls the caller must fix (and outages with fail_closed=False)."""

import grpc

from . import _details

# Codes that mean "the request is wrong": raised, never turned into a decision.
CALLER_FAULT = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.OUT_OF_RANGE,
        grpc.StatusCode.UNIMPLEMENTED,
    }
)


class BuildToValueError(Exception):
    """A failed call: ``code`` (grpc.StatusCode), ``reason`` (ErrorInfo.reason, e.g.
    ``ERROR_REASON_INVALID_ARGUMENT``), ``field_violations`` [(field, description)], ``request_id``."""

    def __init__(self, code, message, reason="", request_id="", field_violations=(), retry_delay=None):
        super().__init__("%s%s: %s" % (code.name, " (%s)" % reason if reason else "", message))
        self.code = code
        self.code_name = code.name
        self.message = message
        self.reason = reason
        self.request_id = request_id
        self.field_violations = list(field_violations)
        self.retry_delay = retry_delay

    @classmethod
    def from_rpc_error(cls, err):
        code = err.code() if callable(getattr(err, "code", None)) else grpc.StatusCode.UNKNOWN
        details = err.details() if callable(getattr(err, "details", None)) else str(err)
        trailers = err.trailing_metadata() if callable(getattr(err, "trailing_metadata", None)) else ()
        reason, request_id, violations, retry = _details.decode(trailers)
        return cls(code, details or "", reason, request_id, violations, retry)

    @property
    def caller_fault(self):
        return self.code in CALLER_FAULT
