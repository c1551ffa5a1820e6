from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

AI_ROLE_DEPLOYER: AiRole
AI_ROLE_DISTRIBUTOR: AiRole
AI_ROLE_IMPORTER: AiRole
AI_ROLE_PROVIDER: AiRole
AI_ROLE_UNSPECIFIED: AiRole
DECISION_OUTCOME_APPROVED: DecisionOutcome
DECISION_OUTCOME_BLOCKED: DecisionOutcome
DECISION_OUTCOME_REVIEW_REQUIRED: DecisionOutcome
DECISION_OUTCOME_UNSPECIFIED: DecisionOutcome
DESCRIPTOR: _descriptor.FileDescriptor
ENFORCEMENT_MODE_ENFORCE: EnforcementMode
ENFORCEMENT_MODE_MONITOR: EnforcementMode
ENFORCEMENT_MODE_UNSPECIFIED: EnforcementMode
LIFECYCLE_PHASE_DECOMMISSIONING: LifecyclePhase
LIFECYCLE_PHASE_DEPLOYMENT: LifecyclePhase
LIFECYCLE_PHASE_DESIGN: LifecyclePhase
LIFECYCLE_PHASE_DEVELOPMENT: LifecyclePhase
LIFECYCLE_PHASE_MONITORING: LifecyclePhase
LIFECYCLE_PHASE_OPERATION: LifecyclePhase
LIFECYCLE_PHASE_UNSPECIFIED: LifecyclePhase
LIFECYCLE_PHASE_VALIDATION: LifecyclePhase
MESSAGE_ROLE_ASSISTANT: MessageRole
MESSAGE_ROLE_CONTEXT: MessageRole
MESSAGE_ROLE_SYSTEM: MessageRole
MESSAGE_ROLE_TOOL: MessageRole
MESSAGE_ROLE_UNSPECIFIED: MessageRole
MESSAGE_ROLE_USER: MessageRole
OPERATIONAL_STATUS_ACTIVE: OperationalStatus
OPERATIONAL_STATUS_DEGRADED: OperationalStatus
OPERATIONAL_STATUS_EMERGENCY_STOP: OperationalStatus
OPERATIONAL_STATUS_MAINTENANCE: OperationalStatus
OPERATIONAL_STATUS_SUSPENDED: OperationalStatus
OPERATIONAL_STATUS_UNSPECIFIED: OperationalStatus
REVIEW_STATUS_APPROVED: ReviewStatus
REVIEW_STATUS_PENDING: ReviewStatus
REVIEW_STATUS_REJECTED: ReviewStatus
REVIEW_STATUS_UNSPECIFIED: ReviewStatus
RISK_CLASSIFICATION_HIGH: RiskClassification
RISK_CLASSIFICATION_LIMITED: RiskClassification
RISK_CLASSIFICATION_MINIMAL: RiskClassification
RISK_CLASSIFICATION_PROHIBITED: RiskClassification
RISK_CLASSIFICATION_SYSTEMIC_GPAI: RiskClassification
RISK_CLASSIFICATION_UNSPECIFIED: RiskClassification
RISK_LEVEL_CRITICAL: RiskLevel
RISK_LEVEL_HIGH: RiskLevel
RISK_LEVEL_LOW: RiskLevel
RISK_LEVEL_MEDIUM: RiskLevel
RISK_LEVEL_UNSPECIFIED: RiskLevel
SECTOR_BANKING: Sector
SECTOR_BIOMETRIC: Sector
SECTOR_CRITICAL_INFRASTRUCTURE: Sector
SECTOR_DEMOCRATIC_PROCESSES: Sector
SECTOR_EDUCATION: Sector
SECTOR_EMPLOYMENT: Sector
SECTOR_ESSENTIAL_SERVICES: Sector
SECTOR_GENERAL: Sector
SECTOR_GENERAL_COMMERCIAL: Sector
SECTOR_HEALTHCARE: Sector
SECTOR_INSURANCE: Sector
SECTOR_JUSTICE: Sector
SECTOR_LAW_ENFORCEMENT: Sector
SECTOR_MARKETING: Sector
SECTOR_MIGRATION: Sector
SECTOR_UNSPECIFIED: Sector
STATUS_EVENT_TYPE_CHANGE: StatusEventType
STATUS_EVENT_TYPE_HEARTBEAT: StatusEventType
STATUS_EVENT_TYPE_SNAPSHOT: StatusEventType
STATUS_EVENT_TYPE_UNSPECIFIED: StatusEventType

class AiSystem(_message.Message):
    __slots__ = ["candidate_policy", "created_at", "eu_database_id", "external_dependencies", "id", "intended_purpose", "jurisdiction", "lifecycle_phase", "logging_enabled", "name", "operational_status", "policy", "prohibited_domains", "risk", "role", "sandbox", "sector", "tenant_id", "training_flops", "updated_at", "version"]
    CANDIDATE_POLICY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EU_DATABASE_ID_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_DEPENDENCIES_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INTENDED_PURPOSE_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    LIFECYCLE_PHASE_FIELD_NUMBER: _ClassVar[int]
    LOGGING_ENABLED_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OPERATIONAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    PROHIBITED_DOMAINS_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    SANDBOX_FIELD_NUMBER: _ClassVar[int]
    SECTOR_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FLOPS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    candidate_policy: Policy
    created_at: _timestamp_pb2.Timestamp
    eu_database_id: str
    external_dependencies: _containers.RepeatedCompositeFieldContainer[ThirdPartyComponent]
    id: str
    intended_purpose: str
    jurisdiction: str
    lifecycle_phase: LifecyclePhase
    logging_enabled: bool
    name: str
    operational_status: OperationalStatus
    policy: Policy
    prohibited_domains: _containers.RepeatedScalarFieldContainer[str]
    risk: RiskClassification
    role: AiRole
    sandbox: bool
    sector: Sector
    tenant_id: str
    training_flops: float
    updated_at: _timestamp_pb2.Timestamp
    version: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[str] = ..., sector: _Optional[_Union[Sector, str]] = ..., role: _Optional[_Union[AiRole, str]] = ..., risk: _Optional[_Union[RiskClassification, str]] = ..., sandbox: bool = ..., eu_database_id: _Optional[str] = ..., training_flops: _Optional[float] = ..., logging_enabled: bool = ..., jurisdiction: _Optional[str] = ..., intended_purpose: _Optional[str] = ..., prohibited_domains: _Optional[_Iterable[str]] = ..., lifecycle_phase: _Optional[_Union[LifecyclePhase, str]] = ..., operational_status: _Optional[_Union[OperationalStatus, str]] = ..., external_dependencies: _Optional[_Iterable[_Union[ThirdPartyComponent, _Mapping]]] = ..., policy: _Optional[_Union[Policy, _Mapping]] = ..., tenant_id: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., candidate_policy: _Optional[_Union[Policy, _Mapping]] = ...) -> None: ...

class ApplicablePenalty(_message.Message):
    __slots__ = ["article", "currency", "jurisdiction", "max_penalty", "min_penalty", "penalty_id", "regulation", "severity"]
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    MAX_PENALTY_FIELD_NUMBER: _ClassVar[int]
    MIN_PENALTY_FIELD_NUMBER: _ClassVar[int]
    PENALTY_ID_FIELD_NUMBER: _ClassVar[int]
    REGULATION_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    article: str
    currency: str
    jurisdiction: str
    max_penalty: float
    min_penalty: float
    penalty_id: str
    regulation: str
    severity: str
    def __init__(self, penalty_id: _Optional[str] = ..., regulation: _Optional[str] = ..., article: _Optional[str] = ..., jurisdiction: _Optional[str] = ..., currency: _Optional[str] = ..., min_penalty: _Optional[float] = ..., max_penalty: _Optional[float] = ..., severity: _Optional[str] = ...) -> None: ...

class AutonomyLimit(_message.Message):
    __slots__ = ["max_risk_level"]
    MAX_RISK_LEVEL_FIELD_NUMBER: _ClassVar[int]
    max_risk_level: float
    def __init__(self, max_risk_level: _Optional[float] = ...) -> None: ...

class ComplianceSummary(_message.Message):
    __slots__ = ["lifecycle_phase", "nist_alignment", "operational_status", "requires_human_oversight"]
    LIFECYCLE_PHASE_FIELD_NUMBER: _ClassVar[int]
    NIST_ALIGNMENT_FIELD_NUMBER: _ClassVar[int]
    OPERATIONAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_HUMAN_OVERSIGHT_FIELD_NUMBER: _ClassVar[int]
    lifecycle_phase: LifecyclePhase
    nist_alignment: _containers.RepeatedScalarFieldContainer[str]
    operational_status: OperationalStatus
    requires_human_oversight: bool
    def __init__(self, lifecycle_phase: _Optional[_Union[LifecyclePhase, str]] = ..., operational_status: _Optional[_Union[OperationalStatus, str]] = ..., requires_human_oversight: bool = ..., nist_alignment: _Optional[_Iterable[str]] = ...) -> None: ...

class Decision(_message.Message):
    __slots__ = ["baseline_risk", "candidate_outcome", "confidence", "controls_applied", "created_at", "decision_id", "detected_threats", "enforced", "env", "findings", "ledger_sequence", "monitored_outcome", "outcome", "reason", "receipt", "recommendations", "regulatory_impact", "review_id", "risk_limit", "risk_score", "rules_hash", "sub_threat_type", "system_id"]
    BASELINE_RISK_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    CONTROLS_APPLIED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    DETECTED_THREATS_FIELD_NUMBER: _ClassVar[int]
    ENFORCED_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    LEDGER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    MONITORED_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECEIPT_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    REGULATORY_IMPACT_FIELD_NUMBER: _ClassVar[int]
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    RISK_LIMIT_FIELD_NUMBER: _ClassVar[int]
    RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    RULES_HASH_FIELD_NUMBER: _ClassVar[int]
    SUB_THREAT_TYPE_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    baseline_risk: float
    candidate_outcome: DecisionOutcome
    confidence: float
    controls_applied: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    decision_id: str
    detected_threats: _containers.RepeatedScalarFieldContainer[str]
    enforced: bool
    env: str
    findings: _containers.RepeatedCompositeFieldContainer[Finding]
    ledger_sequence: int
    monitored_outcome: DecisionOutcome
    outcome: DecisionOutcome
    reason: str
    receipt: DecisionReceipt
    recommendations: _containers.RepeatedScalarFieldContainer[str]
    regulatory_impact: RegulatoryImpact
    review_id: str
    risk_limit: float
    risk_score: float
    rules_hash: str
    sub_threat_type: str
    system_id: str
    def __init__(self, decision_id: _Optional[str] = ..., system_id: _Optional[str] = ..., outcome: _Optional[_Union[DecisionOutcome, str]] = ..., risk_score: _Optional[float] = ..., reason: _Optional[str] = ..., detected_threats: _Optional[_Iterable[str]] = ..., confidence: _Optional[float] = ..., recommendations: _Optional[_Iterable[str]] = ..., controls_applied: _Optional[_Iterable[str]] = ..., baseline_risk: _Optional[float] = ..., sub_threat_type: _Optional[str] = ..., regulatory_impact: _Optional[_Union[RegulatoryImpact, _Mapping]] = ..., ledger_sequence: _Optional[int] = ..., review_id: _Optional[str] = ..., env: _Optional[str] = ..., risk_limit: _Optional[float] = ..., rules_hash: _Optional[str] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., findings: _Optional[_Iterable[_Union[Finding, _Mapping]]] = ..., enforced: bool = ..., monitored_outcome: _Optional[_Union[DecisionOutcome, str]] = ..., candidate_outcome: _Optional[_Union[DecisionOutcome, str]] = ..., receipt: _Optional[_Union[DecisionReceipt, _Mapping]] = ...) -> None: ...

class DecisionReceipt(_message.Message):
    __slots__ = ["entry_hash", "ledger_sequence"]
    ENTRY_HASH_FIELD_NUMBER: _ClassVar[int]
    LEDGER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    entry_hash: str
    ledger_sequence: int
    def __init__(self, ledger_sequence: _Optional[int] = ..., entry_hash: _Optional[str] = ...) -> None: ...

class Finding(_message.Message):
    __slots__ = ["confidence", "domain", "message_index", "pattern", "severity", "sub_threat"]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_INDEX_FIELD_NUMBER: _ClassVar[int]
    PATTERN_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SUB_THREAT_FIELD_NUMBER: _ClassVar[int]
    confidence: float
    domain: str
    message_index: int
    pattern: str
    severity: float
    sub_threat: str
    def __init__(self, domain: _Optional[str] = ..., sub_threat: _Optional[str] = ..., pattern: _Optional[str] = ..., severity: _Optional[float] = ..., confidence: _Optional[float] = ..., message_index: _Optional[int] = ...) -> None: ...

class LedgerEntry(_message.Message):
    __slots__ = ["actor_role", "actor_subject", "entry_hash", "event_type", "key_id", "payload_json", "prev_hash", "request_id", "sequence", "signature", "tenant_id", "timestamp"]
    ACTOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    ENTRY_HASH_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_JSON_FIELD_NUMBER: _ClassVar[int]
    PREV_HASH_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    actor_role: str
    actor_subject: str
    entry_hash: str
    event_type: str
    key_id: str
    payload_json: str
    prev_hash: str
    request_id: str
    sequence: int
    signature: str
    tenant_id: str
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, sequence: _Optional[int] = ..., timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., event_type: _Optional[str] = ..., actor_subject: _Optional[str] = ..., actor_role: _Optional[str] = ..., request_id: _Optional[str] = ..., payload_json: _Optional[str] = ..., prev_hash: _Optional[str] = ..., entry_hash: _Optional[str] = ..., key_id: _Optional[str] = ..., signature: _Optional[str] = ..., tenant_id: _Optional[str] = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ["content", "role"]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    content: str
    role: MessageRole
    def __init__(self, role: _Optional[_Union[MessageRole, str]] = ..., content: _Optional[str] = ...) -> None: ...

class PhaseChange(_message.Message):
    __slots__ = ["acknowledged", "message", "new_phase", "operator", "operator_claim", "previous_phase", "replayed", "revision", "system_id", "timestamp"]
    ACKNOWLEDGED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    NEW_PHASE_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_CLAIM_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PHASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    acknowledged: bool
    message: str
    new_phase: LifecyclePhase
    operator: str
    operator_claim: str
    previous_phase: LifecyclePhase
    replayed: bool
    revision: int
    system_id: str
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, system_id: _Optional[str] = ..., previous_phase: _Optional[_Union[LifecyclePhase, str]] = ..., new_phase: _Optional[_Union[LifecyclePhase, str]] = ..., timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged: bool = ..., operator: _Optional[str] = ..., message: _Optional[str] = ..., revision: _Optional[int] = ..., replayed: bool = ..., operator_claim: _Optional[str] = ...) -> None: ...

class Policy(_message.Message):
    __slots__ = ["autonomy_matrix", "custom_rules", "mode"]
    class AutonomyMatrixEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: AutonomyLimit
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[AutonomyLimit, _Mapping]] = ...) -> None: ...
    class CustomRulesEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bool
        def __init__(self, key: _Optional[str] = ..., value: bool = ...) -> None: ...
    AUTONOMY_MATRIX_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_RULES_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    autonomy_matrix: _containers.MessageMap[str, AutonomyLimit]
    custom_rules: _containers.ScalarMap[str, bool]
    mode: EnforcementMode
    def __init__(self, autonomy_matrix: _Optional[_Mapping[str, AutonomyLimit]] = ..., custom_rules: _Optional[_Mapping[str, bool]] = ..., mode: _Optional[_Union[EnforcementMode, str]] = ...) -> None: ...

class RegulatoryImpact(_message.Message):
    __slots__ = ["applicable_regulations", "executive_summary"]
    APPLICABLE_REGULATIONS_FIELD_NUMBER: _ClassVar[int]
    EXECUTIVE_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    applicable_regulations: _containers.RepeatedCompositeFieldContainer[ApplicablePenalty]
    executive_summary: str
    def __init__(self, executive_summary: _Optional[str] = ..., applicable_regulations: _Optional[_Iterable[_Union[ApplicablePenalty, _Mapping]]] = ...) -> None: ...

class Review(_message.Message):
    __slots__ = ["created_at", "decision_id", "notes", "reason", "request_id", "resolved_at", "resolved_by", "risk_score", "status", "system_id"]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_AT_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_BY_FIELD_NUMBER: _ClassVar[int]
    RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    created_at: _timestamp_pb2.Timestamp
    decision_id: str
    notes: str
    reason: str
    request_id: str
    resolved_at: _timestamp_pb2.Timestamp
    resolved_by: str
    risk_score: float
    status: ReviewStatus
    system_id: str
    def __init__(self, request_id: _Optional[str] = ..., status: _Optional[_Union[ReviewStatus, str]] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., system_id: _Optional[str] = ..., risk_score: _Optional[float] = ..., decision_id: _Optional[str] = ..., resolved_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_by: _Optional[str] = ..., notes: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class StatusChange(_message.Message):
    __slots__ = ["acknowledged", "message", "new_status", "operator", "operator_claim", "previous_status", "replayed", "revision", "system_id", "timestamp"]
    ACKNOWLEDGED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    NEW_STATUS_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_CLAIM_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    acknowledged: bool
    message: str
    new_status: OperationalStatus
    operator: str
    operator_claim: str
    previous_status: OperationalStatus
    replayed: bool
    revision: int
    system_id: str
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, system_id: _Optional[str] = ..., previous_status: _Optional[_Union[OperationalStatus, str]] = ..., new_status: _Optional[_Union[OperationalStatus, str]] = ..., timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., acknowledged: bool = ..., operator: _Optional[str] = ..., message: _Optional[str] = ..., revision: _Optional[int] = ..., replayed: bool = ..., operator_claim: _Optional[str] = ...) -> None: ...

class StatusEvent(_message.Message):
    __slots__ = ["new_phase", "new_status", "operator", "previous_phase", "previous_status", "reason", "revision", "system_id", "timestamp", "type"]
    NEW_PHASE_FIELD_NUMBER: _ClassVar[int]
    NEW_STATUS_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PHASE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    new_phase: LifecyclePhase
    new_status: OperationalStatus
    operator: str
    previous_phase: LifecyclePhase
    previous_status: OperationalStatus
    reason: str
    revision: int
    system_id: str
    timestamp: _timestamp_pb2.Timestamp
    type: StatusEventType
    def __init__(self, type: _Optional[_Union[StatusEventType, str]] = ..., system_id: _Optional[str] = ..., previous_status: _Optional[_Union[OperationalStatus, str]] = ..., new_status: _Optional[_Union[OperationalStatus, str]] = ..., revision: _Optional[int] = ..., timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., operator: _Optional[str] = ..., previous_phase: _Optional[_Union[LifecyclePhase, str]] = ..., new_phase: _Optional[_Union[LifecyclePhase, str]] = ...) -> None: ...

class SystemStatus(_message.Message):
    __slots__ = ["lifecycle_phase", "operational_status", "operator", "reason", "revision", "system_id", "updated_at"]
    LIFECYCLE_PHASE_FIELD_NUMBER: _ClassVar[int]
    OPERATIONAL_STATUS_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    lifecycle_phase: LifecyclePhase
    operational_status: OperationalStatus
    operator: str
    reason: str
    revision: int
    system_id: str
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, system_id: _Optional[str] = ..., operational_status: _Optional[_Union[OperationalStatus, str]] = ..., lifecycle_phase: _Optional[_Union[LifecyclePhase, str]] = ..., revision: _Optional[int] = ..., updated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., operator: _Optional[str] = ...) -> None: ...

class Tenant(_message.Message):
    __slots__ = ["candidate_policy", "created_at", "id", "name", "policy", "updated_at"]
    CANDIDATE_POLICY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    candidate_policy: Policy
    created_at: _timestamp_pb2.Timestamp
    id: str
    name: str
    policy: Policy
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., policy: _Optional[_Union[Policy, _Mapping]] = ..., created_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., candidate_policy: _Optional[_Union[Policy, _Mapping]] = ...) -> None: ...

class ThirdPartyComponent(_message.Message):
    __slots__ = ["license_type", "name", "risk_level", "vendor", "version", "vulnerabilities"]
    LICENSE_TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RISK_LEVEL_FIELD_NUMBER: _ClassVar[int]
    VENDOR_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VULNERABILITIES_FIELD_NUMBER: _ClassVar[int]
    license_type: str
    name: str
    risk_level: RiskLevel
    vendor: str
    version: str
    vulnerabilities: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., vendor: _Optional[str] = ..., license_type: _Optional[str] = ..., risk_level: _Optional[_Union[RiskLevel, str]] = ..., vulnerabilities: _Optional[_Iterable[str]] = ...) -> None: ...

class OperationalStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class LifecyclePhase(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class DecisionOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Sector(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class AiRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class RiskClassification(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class RiskLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class EnforcementMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MessageRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class StatusEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ReviewStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
