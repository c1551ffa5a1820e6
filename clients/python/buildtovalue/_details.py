"""google.rpc.Status / ErrorInfo / BadRequest / RetryInfo from grpc-status-details-bin.

Debian ships no googleapis-common-protos, so the four messages are built at import time from
their field numbers (google/rpc/status.proto, error_details.proto) in a private descriptor pool:
nothing is registered in the default pool, so an installed googleapis-common-protos never clashes.
"""

from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, duration_pb2, message_factory

_F = descriptor_pb2.FieldDescriptorProto


def _build():
    pool = descriptor_pool.DescriptorPool()
    for wkt in (any_pb2, duration_pb2):
        f = descriptor_pb2.FileDescriptorProto()
        wkt.DESCRIPTOR.CopyToProto(f)
        pool.Add(f)

    def field(msg, name, number, ftype, label=_F.LABEL_OPTIONAL, type_name=None):
        f = msg.field.add(name=name, number=number, type=ftype, label=label)
        if type_name:
            f.type_name = type_name

    status = descriptor_pb2.FileDescriptorProto(name="btv_client/google/rpc/status.proto", package="google.rpc", syntax="proto3")
    status.dependency.append("google/protobuf/any.proto")
    st = status.message_type.add(name="Status")
    field(st, "code", 1, _F.TYPE_INT32)
    field(st, "message", 2, _F.TYPE_STRING)
    field(st, "details", 3, _F.TYPE_MESSAGE, _F.LABEL_REPEATED, ".google.protobuf.Any")
    pool.Add(status)

    details = descriptor_pb2.FileDescriptorProto(name="btv_client/google/rpc/error_details.proto", package="google.rpc", syntax="proto3")
    details.dependency.append("google/protobuf/duration.proto")
    ei = details.message_type.add(name="ErrorInfo")
    field(ei, "reason", 1, _F.TYPE_STRING)
    field(ei, "domain", 2, _F.TYPE_STRING)
    entry = ei.nested_type.add(name="MetadataEntry")
    entry.options.map_entry = True
    field(entry, "key", 1, _F.TYPE_STRING)
    field(entry, "value", 2, _F.TYPE_STRING)
    field(ei, "metadata", 3, _F.TYPE_MESSAGE, _F.LABEL_REPEATED, ".google.rpc.ErrorInfo.MetadataEntry")
    br = details.message_type.add(name="BadRequest")
    fv = br.nested_type.add(name="FieldViolation")
    field(fv, "field", 1, _F.TYPE_STRING)
    field(fv, "description", 2, _F.TYPE_STRING)
    field(br, "field_violations", 1, _F.TYPE_MESSAGE, _F.LABEL_REPEATED, ".google.rpc.BadRequest.FieldViolation")
    ri = details.message_type.add(name="RetryInfo")
    field(ri, "retry_delay", 1, _F.TYPE_MESSAGE, type_name=".google.protobuf.Duration")
    pool.Add(details)

    get_class = getattr(message_factory, "GetMessageClass", None)
    if get_class is None:  # protobuf < 4.22
        get_class = message_factory.MessageFactory(pool).GetPrototype
    return tuple(get_class(pool.FindMessageTypeByName("google.rpc." + n)) for n in ("Status", "ErrorInfo", "BadRequest", "RetryInfo"))


_Status, _ErrorInfo, _BadRequest, _RetryInfo = _build()


def decode(trailing_metadata):
    """(reason, request_id, field_violations [(field, description)], retry_delay_seconds or None)."""
    reason, request_id, violations, retry = "", "", [], None
    raw = None
    for key, value in trailing_metadata or ():
        if key == "grpc-status-details-bin":
            raw = value
    if raw is None:
        return reason, request_id, violations, retry
    try:
        for d in _Status.FromString(raw).details:
            if d.type_url == "type.googleapis.com/google.rpc.ErrorInfo":
                info = _ErrorInfo.FromString(d.value)
                reason, request_id = info.reason, info.metadata.get("request_id", "")
            elif d.type_url == "type.googleapis.com/google.rpc.BadRequest":
                violations = [(v.field, v.description) for v in _BadRequest.FromString(d.value).field_violations]
            elif d.type_url == "type.googleapis.com/google.rpc.RetryInfo":
                delay = _RetryInfo.FromString(d.value).retry_delay
                retry = delay.seconds + delay.nanos / 1e9
    except Exception:  # noqa: BLE001 - undecodable details leave the status code, enough to decide
        pass
    return reason, request_id, violations, retry
