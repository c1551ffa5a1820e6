"""EnforceResult and SystemStatus, and the answers the client gives without the server."""

import collections

from btv.v1 import types_pb2

APPROVED, BLOCKED, REVIEW_REQUIRED = "APPROVED", "BLOCKED", "REVIEW_REQUIRED"

_OUTCOMES = {
    types_pb2.DECISION_OUTCOME_APPROVED: APPROVED,
    types_pb2.DECISION_OUTCOME_BLOCKED: BLOCKED,
    types_pb2.DECISION_OUTCOME_REVIEW_REQUIRED: REVIEW_REQUIRED,
}

EnforceResult = collections.namedtuple("EnforceResult", "outcome allowed reason decision source")
EnforceResult.__doc__ = """The answer to one enforce(): run the task only when ``allowed``.

``outcome`` is "APPROVED", "BLOCKED" or "REVIEW_REQUIRED"; ``reason`` the server's
(``KILL_SWITCH_ACTIVE: ...``) or ``CLIENT_FAIL_CLOSED: ...``; ``decision`` the full
btv.v1.Decision (built locally, without decision_id, for cached and fail-closed blocks);
``source`` "server", "cache" (no call made) or "fail_closed"."""

SystemStatus = collections.namedtuple("SystemStatus", "system_id operational_status lifecycle_phase revision reason operator")
SystemStatus.__doc__ = """What the watch cache knows about one system; statuses without prefix ("EMERGENCY_STOP", "DECOMMISSIONING")."""

# The server's status gates, in its order (kill switch first), with its reason codes.
_GATES = {
    "EMERGENCY_STOP": ("KILL_SWITCH_ACTIVE", "under emergency stop", "EMERGENCY_STOP", "emergency_stop_active", "Emergency Stop Protocol"),
    "SUSPENDED": ("SYSTEM_SUSPENDED", "suspended", "SYSTEM_SUSPENDED", "system_suspended", "Operational Status Gate"),
    "MAINTENANCE": ("SYSTEM_MAINTENANCE", "in maintenance", "SYSTEM_MAINTENANCE", "system_maintenance", "Operational Status Gate"),
}
_DECOMMISSIONED = ("SYSTEM_DECOMMISSIONED", "being decommissioned", "SYSTEM_DECOMMISSIONED", "system_decommissioned", "Lifecycle Gate")


def _enum_name(enum, value, prefix):
    # A value a newer server added is kept by number: the watch must not die on it.
    try:
        return enum.Name(value).replace(prefix, "", 1)
    except ValueError:
        return "UNKNOWN_%d" % value


def system_status(event):
    return SystemStatus(
        event.system_id,
        _enum_name(types_pb2.OperationalStatus, event.new_status, "OPERATIONAL_STATUS_"),
        _enum_name(types_pb2.LifecyclePhase, event.new_phase, "LIFECYCLE_PHASE_"),
        event.revision,
        event.reason,
        event.operator,
    )


def cached_block(status):
    """The BLOCKED answer a cached status gives without a call, or None when only the server can decide."""
    gate = _GATES.get(status.operational_status) or (_DECOMMISSIONED if status.lifecycle_phase == "DECOMMISSIONING" else None)
    if gate is None:
        return None
    code, what, threat, sub_threat, control = gate
    reason = "%s: %s is %s (watched status, revision %d)" % (code, status.system_id, what, status.revision)
    return _blocked(status.system_id, reason, threat, sub_threat, control, "cache")


def fail_closed(system_id, why):
    return _blocked(system_id, "CLIENT_FAIL_CLOSED: " + why, "CLIENT_FAIL_CLOSED", "client_fail_closed", "Client Fail-Closed", "fail_closed")


def _blocked(system_id, reason, threat, sub_threat, control, source):
    decision = types_pb2.Decision(
        system_id=system_id,
        outcome=types_pb2.DECISION_OUTCOME_BLOCKED,
        risk_score=10.0,
        confidence=1.0,
        reason=reason,
        detected_threats=[threat],
        sub_threat_type=sub_threat,
        controls_applied=[control],
    )
    return EnforceResult(BLOCKED, False, reason, decision, source)


def from_decision(decision):
    # An outcome this client does not know is never taken as approval.
    outcome = _OUTCOMES.get(decision.outcome, BLOCKED)
    return EnforceResult(outcome, outcome == APPROVED, decision.reason, decision, "server")
