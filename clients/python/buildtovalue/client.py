"""Client: Enforce before every AI task, fail-closed, with a live kill-switch cache."""

import time

import grpc

from btv.v1 import governance_pb2, governance_pb2_grpc, operations_pb2_grpc, types_pb2

from ._watch import StatusWatch
from .errors import BuildToValueError
from .results import fail_closed, from_decision

_ROLES = {
    "system": types_pb2.MESSAGE_ROLE_SYSTEM,
    "user": types_pb2.MESSAGE_ROLE_USER,
    "assistant": types_pb2.MESSAGE_ROLE_ASSISTANT,
    "tool": types_pb2.MESSAGE_ROLE_TOOL,
    "context": types_pb2.MESSAGE_ROLE_CONTEXT,
}

# The channel retries a lost connection quickly, so a restarted server is reached again in well
# under a second (gRPC's default starts at 1 s and grows to 120 s).
_CHANNEL_OPTIONS = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 2000),
)


def _message(m):
    if isinstance(m, types_pb2.Message):
        return m
    role, content = (m["role"], m["content"]) if isinstance(m, dict) else m
    # An unknown role goes out as UNSPECIFIED: the server refuses it naming the message (INVALID_ARGUMENT).
    role = _ROLES.get(role, types_pb2.MESSAGE_ROLE_UNSPECIFIED) if isinstance(role, str) else role
    return types_pb2.Message(role=role, content=content)


class Client:
    """Client(target, token, fail_closed=True, timeout=5.0).

    ``enforce`` answers BLOCKED without a call for a system the watch cache knows to be stopped,
    suspended, in maintenance or decommissioning; with ``fail_closed`` a service that cannot answer
    (UNAVAILABLE, DEADLINE_EXCEEDED, broken connection, ...) is BLOCKED ``CLIENT_FAIL_CLOSED: ...``.
    Requests the caller must fix (INVALID_ARGUMENT, PERMISSION_DENIED, NOT_FOUND, UNAUTHENTICATED)
    raise BuildToValueError with the server's ErrorInfo.reason.
    """

    def __init__(self, target, token, fail_closed=True, timeout=5.0, credentials=None, heartbeat_timeout=15.0, options=()):
        self._token = token
        self._fail_closed = fail_closed
        self._timeout = timeout
        self._heartbeat_timeout = heartbeat_timeout
        opts = list(_CHANNEL_OPTIONS) + list(options)
        self._channel = grpc.secure_channel(target, credentials, opts) if credentials else grpc.insecure_channel(target, opts)
        self._governance = governance_pb2_grpc.GovernanceServiceStub(self._channel)
        self._operations = operations_pb2_grpc.OperationsServiceStub(self._channel)
        self._watch = None

    def _metadata(self):
        return (("authorization", "Bearer " + self._token),)

    def enforce(self, system_id, env, prompt=None, messages=None, artifact_type=""):
        """Asks whether a task may run; returns an EnforceResult (run it only when ``allowed``)."""
        watch = self._watch
        if watch is not None:
            cached = watch.block(system_id)
            if cached is not None:
                return cached
        request = governance_pb2.EnforceRequest(
            system_id=system_id,
            env=env,
            prompt=prompt or "",
            artifact_type=artifact_type,
            messages=[_message(m) for m in (messages or ())],
        )
        deadline = time.monotonic() + self._timeout
        for attempt in (0, 1):
            try:
                response = self._governance.Enforce(request, metadata=self._metadata(), timeout=max(0.001, deadline - time.monotonic()))
            except grpc.RpcError as e:
                err = BuildToValueError.from_rpc_error(e)
                if err.caller_fault:
                    raise err from None
                # A rate limit is retried once, after the delay the server asked for, when the deadline allows it.
                if (
                    err.code == grpc.StatusCode.RESOURCE_EXHAUSTED
                    and attempt == 0
                    and err.retry_delay is not None
                    and 0 <= err.retry_delay
                    and time.monotonic() + err.retry_delay < deadline - 0.05
                ):
                    time.sleep(err.retry_delay)
                    continue
                return self._outage(system_id, err)
            if not response.HasField("decision"):
                return self._outage(system_id, BuildToValueError(grpc.StatusCode.INTERNAL, "response without a decision"))
            return from_decision(response.decision)

    def _outage(self, system_id, err):
        if not self._fail_closed:
            raise err
        return fail_closed(system_id, str(err))

    def watch(self, system_ids=None):
        """Starts the status cache over WatchSystemStatus (every system of the tenant by default)."""
        if self._watch is not None and not self._watch.stopped:
            raise RuntimeError("watch() is already running")
        self._watch = StatusWatch(self._operations, self._metadata, system_ids, self._heartbeat_timeout)
        return self._watch

    def status(self, system_id):
        """The SystemStatus the watch cache holds, or None."""
        return self._watch.get(system_id) if self._watch is not None else None

    @property
    def watch_state(self):
        return self._watch

    def close(self):
        if self._watch is not None:
            self._watch.stop()
        self._channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
