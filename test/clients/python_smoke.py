#!/usr/bin/python3
"""Python client smoke test against a running btv.v1 server.

Usage: /usr/bin/python3 test/clients/python_smoke.py ADDRESS ADMIN_TOKEN OTHER_TENANT_TOKEN

Uses the committed stubs in gen/python (protoc 3.21 + grpc_python_plugin) with
the Debian python3-grpcio / python3-protobuf packages. Prints one line per
check and ends with "python smoke: N passed, M failed"; exits non-zero on any
failure.
"""

import base64
import json
import math
import os
import sys
import traceback
import uuid

sys.dont_write_bytecode = True  # keep gen/python free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "..", "gen", "python")))

import grpc  # noqa: E402
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory  # noqa: E402

from btv.v1 import governance_pb2, governance_pb2_grpc, types_pb2  # noqa: E402

ERROR_DOMAIN = "buildtovalue.grpc"
TIMEOUT = 15.0


# --- google.rpc.Status / ErrorInfo / BadRequest ------------------------------
#
# python3-protobuf does not ship google.rpc (that is googleapis-common-protos,
# not packaged in Debian bookworm). Use it when importable; otherwise build the
# three messages at runtime from hand-written descriptors (the field numbers of
# google/rpc/status.proto and google/rpc/error_details.proto) in a private pool.

def _rpc_classes():
    try:
        from google.rpc import error_details_pb2, status_pb2  # type: ignore

        return status_pb2.Status, error_details_pb2.ErrorInfo, error_details_pb2.BadRequest, "google.rpc (googleapis-common-protos)"
    except ImportError:
        pass

    F = descriptor_pb2.FieldDescriptorProto
    pool = descriptor_pool.DescriptorPool()
    any_file = descriptor_pb2.FileDescriptorProto()
    any_pb2.DESCRIPTOR.CopyToProto(any_file)
    pool.Add(any_file)

    def field(msg, name, number, ftype, label=F.LABEL_OPTIONAL, type_name=None):
        f = msg.field.add(name=name, number=number, type=ftype, label=label)
        if type_name:
            f.type_name = type_name
        return f

    status_file = descriptor_pb2.FileDescriptorProto(name="google/rpc/status.proto", package="google.rpc", syntax="proto3")
    status_file.dependency.append("google/protobuf/any.proto")
    st = status_file.message_type.add(name="Status")
    field(st, "code", 1, F.TYPE_INT32)
    field(st, "message", 2, F.TYPE_STRING)
    field(st, "details", 3, F.TYPE_MESSAGE, F.LABEL_REPEATED, ".google.protobuf.Any")
    pool.Add(status_file)

    details_file = descriptor_pb2.FileDescriptorProto(name="google/rpc/error_details.proto", package="google.rpc", syntax="proto3")
    ei = details_file.message_type.add(name="ErrorInfo")
    field(ei, "reason", 1, F.TYPE_STRING)
    field(ei, "domain", 2, F.TYPE_STRING)
    entry = ei.nested_type.add(name="MetadataEntry")
    entry.options.map_entry = True
    field(entry, "key", 1, F.TYPE_STRING)
    field(entry, "value", 2, F.TYPE_STRING)
    field(ei, "metadata", 3, F.TYPE_MESSAGE, F.LABEL_REPEATED, ".google.rpc.ErrorInfo.MetadataEntry")
    br = details_file.message_type.add(name="BadRequest")
    fv = br.nested_type.add(name="FieldViolation")
    field(fv, "field", 1, F.TYPE_STRING)
    field(fv, "description", 2, F.TYPE_STRING)
    field(br, "field_violations", 1, F.TYPE_MESSAGE, F.LABEL_REPEATED, ".google.rpc.BadRequest.FieldViolation")
    pool.Add(details_file)

    get_class = getattr(message_factory, "GetMessageClass", None)
    if get_class is None:  # protobuf < 4.22
        get_class = message_factory.MessageFactory(pool).GetPrototype
    return (
        get_class(pool.FindMessageTypeByName("google.rpc.Status")),
        get_class(pool.FindMessageTypeByName("google.rpc.ErrorInfo")),
        get_class(pool.FindMessageTypeByName("google.rpc.BadRequest")),
        "runtime descriptors (google.rpc not importable)",
    )


Status, ErrorInfo, BadRequest, RPC_SOURCE = _rpc_classes()


def decode_status(err):
    """Returns (Status, ErrorInfo or None, BadRequest or None) from an RpcError's trailers."""
    raw = None
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            raw = value
    if raw is None:
        raise AssertionError("no grpc-status-details-bin trailer")
    status = Status.FromString(raw)
    info = bad = None
    for d in status.details:
        if d.type_url == "type.googleapis.com/google.rpc.ErrorInfo":
            info = ErrorInfo.FromString(d.value)
        elif d.type_url == "type.googleapis.com/google.rpc.BadRequest":
            bad = BadRequest.FromString(d.value)
    return status, info, bad


# --- harness -----------------------------------------------------------------

passed = 0
failed = 0


def check(name, fn):
    global passed, failed
    try:
        detail = fn()
        passed += 1
        print("ok   - %s%s" % (name, " (%s)" % detail if detail else ""), flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is reported, never raised
        failed += 1
        print("FAIL - %s: %s: %s" % (name, type(e).__name__, e), flush=True)
        if not isinstance(e, AssertionError):
            traceback.print_exc(file=sys.stdout)


def eq(actual, expected, what):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


def expect_rpc_error(fn, code):
    try:
        fn()
    except grpc.RpcError as e:
        if e.code() != code:
            raise AssertionError("expected %s, got %s: %s" % (code.name, e.code().name, e.details()))
        return e
    raise AssertionError("expected %s, call succeeded" % code.name)


def jwt_claims(token):
    """The JWT payload, base64url-decoded and NOT verified (only to learn the tenant)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("token is not a JWT")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))


def main(argv):
    if len(argv) != 4:
        print("usage: %s ADDRESS ADMIN_TOKEN OTHER_TENANT_TOKEN" % argv[0], file=sys.stderr)
        return 2
    address, token, other_token = argv[1:4]
    auth = (("authorization", "Bearer " + token),)
    other_auth = (("authorization", "Bearer " + other_token),)
    tenant_id = jwt_claims(token)["tenant_id"]
    system_id = "py-smoke-" + uuid.uuid4().hex[:10]
    print("python smoke: grpc %s, protobuf %s, google.rpc via %s" % (grpc.__version__, _protobuf_version(), RPC_SOURCE), flush=True)

    channel = grpc.insecure_channel(address)
    try:
        grpc.channel_ready_future(channel).result(timeout=TIMEOUT)
    except grpc.FutureTimeoutError:
        print("FAIL - connect to %s within %ss" % (address, TIMEOUT))
        print("python smoke: 0 passed, 1 failed")
        return 1
    stub = governance_pb2_grpc.GovernanceServiceStub(channel)

    def register_tenant():
        tenant = types_pb2.Tenant(id=tenant_id, name="Python Smoke Bank")
        tenant.policy.autonomy_matrix["production"].max_risk_level = 3.0
        tenant.policy.custom_rules["block_public_apis_in_prod"] = True
        r = stub.RegisterTenant(governance_pb2.RegisterTenantRequest(tenant=tenant), metadata=auth, timeout=TIMEOUT)
        if r.status not in ("registered", "updated"):
            raise AssertionError("status: %r" % r.status)
        eq(r.tenant_id, tenant_id, "tenant_id")
        got = stub.GetTenant(governance_pb2.GetTenantRequest(), metadata=auth, timeout=TIMEOUT).tenant
        eq(got.name, "Python Smoke Bank", "GetTenant name")
        eq(got.policy.autonomy_matrix["production"].max_risk_level, 3.0, "GetTenant policy")
        eq(dict(got.policy.custom_rules), {"block_public_apis_in_prod": True}, "GetTenant custom_rules")
        return "%s %s" % (r.status, tenant_id)

    check("RegisterTenant + GetTenant for the token tenant", register_tenant)

    sent = types_pb2.AiSystem(
        id=system_id,
        name="Python smoke credit scoring",
        version="2.1.0",
        sector=types_pb2.SECTOR_BANKING,
        role=types_pb2.AI_ROLE_PROVIDER,
        risk=types_pb2.RISK_CLASSIFICATION_HIGH,
        logging_enabled=True,
        training_flops=1e24,
        jurisdiction="eu",
        intended_purpose="Credit risk scoring of retail loan applicants",
        prohibited_domains=["social_scoring"],
        external_dependencies=[
            types_pb2.ThirdPartyComponent(
                name="xgboost",
                version="2.0",
                vendor="OSS",
                license_type="Apache-2.0",
                risk_level=types_pb2.RISK_LEVEL_MEDIUM,
                vulnerabilities=["CVE-2024-0001"],
            ),
            types_pb2.ThirdPartyComponent(name="numpy", version="1.26", risk_level=types_pb2.RISK_LEVEL_LOW),
        ],
    )
    sent.policy.autonomy_matrix["production"].max_risk_level = 2.5
    sent.policy.autonomy_matrix["staging"].max_risk_level = 6.0

    def register_system():
        r = stub.RegisterSystem(governance_pb2.RegisterSystemRequest(system=sent), metadata=auth, timeout=TIMEOUT)
        eq(r.status, "registered", "status")
        eq(r.system_id, system_id, "system_id")
        eq(r.tenant_id, tenant_id, "tenant_id")
        eq(r.compliance_summary.requires_human_oversight, True, "requires_human_oversight")
        eq(r.compliance_summary.lifecycle_phase, types_pb2.LIFECYCLE_PHASE_DEPLOYMENT, "lifecycle_phase")
        return system_id

    check("RegisterSystem (enum, double, repeated message, map)", register_system)

    def get_system():
        got = stub.GetSystem(governance_pb2.GetSystemRequest(system_id=system_id), metadata=auth, timeout=TIMEOUT).system
        eq(got.id, system_id, "id")
        eq(got.name, sent.name, "name")
        eq(got.version, "2.1.0", "version")
        eq(types_pb2.RiskClassification.Name(got.risk), "RISK_CLASSIFICATION_HIGH", "risk")
        eq(got.sector, types_pb2.SECTOR_BANKING, "sector")
        eq(got.role, types_pb2.AI_ROLE_PROVIDER, "role")
        eq(got.logging_enabled, True, "logging_enabled")
        if not (isinstance(got.training_flops, float) and math.isclose(got.training_flops, 1e24, rel_tol=0.0, abs_tol=0.0)):
            raise AssertionError("training_flops: expected 1e24, got %r" % got.training_flops)
        eq(got.jurisdiction, "EU", "jurisdiction (normalised)")
        eq(list(got.prohibited_domains), ["social_scoring"], "prohibited_domains")
        eq(list(got.external_dependencies), list(sent.external_dependencies), "external_dependencies")
        eq(got.external_dependencies[0].risk_level, types_pb2.RISK_LEVEL_MEDIUM, "external_dependencies[0].risk_level")
        eq(
            {k: v.max_risk_level for k, v in got.policy.autonomy_matrix.items()},
            {"production": 2.5, "staging": 6.0},
            "policy.autonomy_matrix",
        )
        eq(got.tenant_id, tenant_id, "tenant_id")
        eq(got.operational_status, types_pb2.OPERATIONAL_STATUS_ACTIVE, "operational_status")
        if not got.HasField("created_at") or got.created_at.seconds <= 0:
            raise AssertionError("created_at missing")
        if got.updated_at.ToDatetime() < got.created_at.ToDatetime():
            raise AssertionError("updated_at before created_at")
        return "id, name, version, risk, sector, role, logging, flops, jurisdiction, domains, dependencies, policy, tenant, status, timestamps"

    check("GetSystem returns every field sent", get_system)

    def list_systems():
        r = stub.ListSystems(governance_pb2.ListSystemsRequest(page_size=1000), metadata=auth, timeout=TIMEOUT)
        eq(r.tenant_id, tenant_id, "tenant_id")
        eq(r.count, len(r.systems), "count")
        ids = [s.id for s in r.systems]
        if system_id not in ids:
            raise AssertionError("%s not in %r" % (system_id, ids))
        return "%d system(s)" % len(ids)

    check("ListSystems sees the system", list_systems)

    def unauthenticated():
        e = expect_rpc_error(
            lambda: stub.GetSystem(governance_pb2.GetSystemRequest(system_id=system_id), timeout=TIMEOUT),
            grpc.StatusCode.UNAUTHENTICATED,
        )
        _, info, _ = decode_status(e)
        eq(info.reason if info else None, "ERROR_REASON_TOKEN_MISSING", "ErrorInfo.reason")
        return info.reason

    check("a call without token is UNAUTHENTICATED", unauthenticated)

    def other_tenant():
        e = expect_rpc_error(
            lambda: stub.GetSystem(governance_pb2.GetSystemRequest(system_id=system_id), metadata=other_auth, timeout=TIMEOUT),
            grpc.StatusCode.NOT_FOUND,
        )
        _, info, _ = decode_status(e)
        eq(info.reason if info else None, "ERROR_REASON_SYSTEM_NOT_FOUND", "ErrorInfo.reason")
        return info.reason

    check("GetSystem with another tenant's token is NOT_FOUND", other_tenant)

    def invalid_argument():
        bad = types_pb2.AiSystem(id="Bad Id!", name="x", risk=types_pb2.RISK_CLASSIFICATION_LIMITED)
        e = expect_rpc_error(
            lambda: stub.RegisterSystem(governance_pb2.RegisterSystemRequest(system=bad), metadata=auth, timeout=TIMEOUT),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        status, info, bad_request = decode_status(e)
        eq(status.code, grpc.StatusCode.INVALID_ARGUMENT.value[0], "Status.code")
        eq(status.message, e.details(), "Status.message")
        if info is None:
            raise AssertionError("no google.rpc.ErrorInfo detail")
        eq(info.reason, "ERROR_REASON_INVALID_ARGUMENT", "ErrorInfo.reason")
        eq(info.domain, ERROR_DOMAIN, "ErrorInfo.domain")
        if not info.metadata.get("request_id"):
            raise AssertionError("ErrorInfo.metadata has no request_id: %r" % dict(info.metadata))
        if bad_request is None:
            raise AssertionError("no google.rpc.BadRequest detail")
        eq([v.field for v in bad_request.field_violations], ["system.id"], "BadRequest fields")
        return "%s, %s" % (info.reason, bad_request.field_violations[0].field)

    check("INVALID_ARGUMENT carries google.rpc.Status in grpc-status-details-bin", invalid_argument)

    channel.close()
    print("python smoke: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


def _protobuf_version():
    import google.protobuf

    return google.protobuf.__version__


if __name__ == "__main__":
    sys.exit(main(sys.argv))
