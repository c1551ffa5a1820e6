#!/usr/bin/python3
"""Test agent for clients/python (protocol: README.md beside this file).

Imports `buildtovalue` from wherever it was installed (PYTHONPATH set by the test)."""

import json
import sys
import time

from buildtovalue import BuildToValueError, Client

client = None


def handle(c):
    global client
    op = c["op"]
    if op == "open":
        client = Client(c["target"], c["token"], timeout=c["timeout_ms"] / 1000.0)
        return {"ok": True}
    if op == "watch":
        client.watch(c.get("system_ids") or None)
        return {"ok": True}
    if op == "enforce":
        try:
            r = client.enforce(c["system_id"], c["env"], prompt=c.get("prompt"), messages=c.get("messages"))
        except BuildToValueError as e:
            return {"ok": False, "code": e.code_name, "reason": e.reason, "fields": [f for f, _ in e.field_violations]}
        return {"ok": True, "outcome": r.outcome, "allowed": r.allowed, "reason": r.reason, "source": r.source, "decision_id": r.decision.decision_id}
    if op == "wait_status":
        until = time.monotonic() + c["timeout_ms"] / 1000.0
        while True:
            s = client.status(c["system_id"])
            if s is not None and s.operational_status == c["status"]:
                return {"ok": True, "status": s.operational_status, "phase": s.lifecycle_phase, "revision": s.revision}
            if time.monotonic() > until:
                return {"ok": False, "error": "timeout", "status": s.operational_status if s else None}
            time.sleep(0.001)
    if op == "state":
        w = client.watch_state
        return {"ok": True, "connected": bool(w and w.connected), "revision": w.revision if w else 0, "reconnects": w.reconnects if w else 0}
    if op == "close":
        if client is not None:
            client.close()
        return {"ok": True}
    return {"ok": False, "error": "unknown op %s" % op}


for line in sys.stdin:
    if line.strip():
        print(json.dumps(handle(json.loads(line))), flush=True)
if client is not None:
    client.close()
