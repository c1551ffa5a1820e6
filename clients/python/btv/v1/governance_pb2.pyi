from btv.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EnforceRequest(_message.Message):
    __slots__ = ["artifact_type", "env", "messages", "prompt", "system_id"]
    ARTIFACT_TYPE_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    artifact_type: str
    env: str
    messages: _containers.RepeatedCompositeFieldContainer[_types_pb2.Message]
    prompt: str
    system_id: str
    def __init__(self, system_id: _Optional[str] = ..., prompt: _Optional[str] = ..., env: _Optional[str] = ..., artifact_type: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_types_pb2.Message, _Mapping]]] = ...) -> None: ...

class EnforceResponse(_message.Message):
    __slots__ = ["decision"]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    decision: _types_pb2.Decision
    def __init__(self, decision: _Optional[_Union[_types_pb2.Decision, _Mapping]] = ...) -> None: ...

class GetSystemRequest(_message.Message):
    __slots__ = ["system_id"]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    system_id: str
    def __init__(self, system_id: _Optional[str] = ...) -> None: ...

class GetSystemResponse(_message.Message):
    __slots__ = ["system"]
    SYSTEM_FIELD_NUMBER: _ClassVar[int]
    system: _types_pb2.AiSystem
    def __init__(self, system: _Optional[_Union[_types_pb2.AiSystem, _Mapping]] = ...) -> None: ...

class GetTenantRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetTenantResponse(_message.Message):
    __slots__ = ["tenant"]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: _types_pb2.Tenant
    def __init__(self, tenant: _Optional[_Union[_types_pb2.Tenant, _Mapping]] = ...) -> None: ...

class ListSystemsRequest(_message.Message):
    __slots__ = ["page_size", "page_token"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSystemsResponse(_message.Message):
    __slots__ = ["count", "next_page_token", "systems", "tenant_id", "total_count"]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SYSTEMS_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    next_page_token: str
    systems: _containers.RepeatedCompositeFieldContainer[_types_pb2.AiSystem]
    tenant_id: str
    total_count: int
    def __init__(self, tenant_id: _Optional[str] = ..., count: _Optional[int] = ..., systems: _Optional[_Iterable[_Union[_types_pb2.AiSystem, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., total_count: _Optional[int] = ...) -> None: ...

class RegisterSystemRequest(_message.Message):
    __slots__ = ["system"]
    SYSTEM_FIELD_NUMBER: _ClassVar[int]
    system: _types_pb2.AiSystem
    def __init__(self, system: _Optional[_Union[_types_pb2.AiSystem, _Mapping]] = ...) -> None: ...

class RegisterSystemResponse(_message.Message):
    __slots__ = ["compliance_summary", "message", "promoted_candidate", "promoted_candidate_changed_24h", "status", "system_id", "tenant_id"]
    COMPLIANCE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_CANDIDATE_CHANGED_24H_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    compliance_summary: _types_pb2.ComplianceSummary
    message: str
    promoted_candidate: bool
    promoted_candidate_changed_24h: int
    status: str
    system_id: str
    tenant_id: str
    def __init__(self, status: _Optional[str] = ..., system_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., message: _Optional[str] = ..., compliance_summary: _Optional[_Union[_types_pb2.ComplianceSummary, _Mapping]] = ..., promoted_candidate: bool = ..., promoted_candidate_changed_24h: _Optional[int] = ...) -> None: ...

class RegisterTenantRequest(_message.Message):
    __slots__ = ["tenant"]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: _types_pb2.Tenant
    def __init__(self, tenant: _Optional[_Union[_types_pb2.Tenant, _Mapping]] = ...) -> None: ...

class RegisterTenantResponse(_message.Message):
    __slots__ = ["message", "promoted_candidate", "promoted_candidate_changed_24h", "status", "tenant_id"]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_CANDIDATE_CHANGED_24H_FIELD_NUMBER: _ClassVar[int]
    PROMOTED_CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    message: str
    promoted_candidate: bool
    promoted_candidate_changed_24h: int
    status: str
    tenant_id: str
    def __init__(self, status: _Optional[str] = ..., tenant_id: _Optional[str] = ..., message: _Optional[str] = ..., promoted_candidate: bool = ..., promoted_candidate_changed_24h: _Optional[int] = ...) -> None: ...
