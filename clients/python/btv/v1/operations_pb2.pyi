from btv.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EmergencyStopRequest(_message.Message):
    __slots__ = ["operator_id", "reason", "request_id", "system_id"]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    operator_id: str
    reason: str
    request_id: str
    system_id: str
    def __init__(self, system_id: _Optional[str] = ..., reason: _Optional[str] = ..., operator_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class EmergencyStopResponse(_message.Message):
    __slots__ = ["status_change"]
    STATUS_CHANGE_FIELD_NUMBER: _ClassVar[int]
    status_change: _types_pb2.StatusChange
    def __init__(self, status_change: _Optional[_Union[_types_pb2.StatusChange, _Mapping]] = ...) -> None: ...

class GetOperationalStatusRequest(_message.Message):
    __slots__ = ["system_id"]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    system_id: str
    def __init__(self, system_id: _Optional[str] = ...) -> None: ...

class GetOperationalStatusResponse(_message.Message):
    __slots__ = ["status"]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: _types_pb2.SystemStatus
    def __init__(self, status: _Optional[_Union[_types_pb2.SystemStatus, _Mapping]] = ...) -> None: ...

class SetLifecyclePhaseRequest(_message.Message):
    __slots__ = ["lifecycle_phase", "operator_id", "reason", "request_id", "system_id"]
    LIFECYCLE_PHASE_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    lifecycle_phase: _types_pb2.LifecyclePhase
    operator_id: str
    reason: str
    request_id: str
    system_id: str
    def __init__(self, system_id: _Optional[str] = ..., lifecycle_phase: _Optional[_Union[_types_pb2.LifecyclePhase, str]] = ..., reason: _Optional[str] = ..., operator_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetLifecyclePhaseResponse(_message.Message):
    __slots__ = ["phase_change"]
    PHASE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    phase_change: _types_pb2.PhaseChange
    def __init__(self, phase_change: _Optional[_Union[_types_pb2.PhaseChange, _Mapping]] = ...) -> None: ...

class SetOperationalStatusRequest(_message.Message):
    __slots__ = ["operational_status", "operator_id", "reason", "request_id", "system_id"]
    OPERATIONAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    operational_status: _types_pb2.OperationalStatus
    operator_id: str
    reason: str
    request_id: str
    system_id: str
    def __init__(self, system_id: _Optional[str] = ..., operational_status: _Optional[_Union[_types_pb2.OperationalStatus, str]] = ..., reason: _Optional[str] = ..., operator_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetOperationalStatusResponse(_message.Message):
    __slots__ = ["status_change"]
    STATUS_CHANGE_FIELD_NUMBER: _ClassVar[int]
    status_change: _types_pb2.StatusChange
    def __init__(self, status_change: _Optional[_Union[_types_pb2.StatusChange, _Mapping]] = ...) -> None: ...

class WatchSystemStatusRequest(_message.Message):
    __slots__ = ["since_revision", "system_ids"]
    SINCE_REVISION_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_IDS_FIELD_NUMBER: _ClassVar[int]
    since_revision: int
    system_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, system_ids: _Optional[_Iterable[str]] = ..., since_revision: _Optional[int] = ...) -> None: ...

class WatchSystemStatusResponse(_message.Message):
    __slots__ = ["event"]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _types_pb2.StatusEvent
    def __init__(self, event: _Optional[_Union[_types_pb2.StatusEvent, _Mapping]] = ...) -> None: ...
