from btv.v1 import types_pb2 as _types_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ArticleStatus(_message.Message):
    __slots__ = ["article", "evidence", "status", "title"]
    ARTICLE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    article: str
    evidence: str
    status: str
    title: str
    def __init__(self, article: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., evidence: _Optional[str] = ...) -> None: ...

class ComplianceReport(_message.Message):
    __slots__ = ["aicm_coverage", "checkpoint", "eu_ai_act", "generated_at", "ledger_sequence", "nist", "rollout", "supply_chain", "system_id"]
    AICM_COVERAGE_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    EU_AI_ACT_FIELD_NUMBER: _ClassVar[int]
    GENERATED_AT_FIELD_NUMBER: _ClassVar[int]
    LEDGER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    NIST_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    SUPPLY_CHAIN_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    aicm_coverage: float
    checkpoint: LedgerCheckpoint
    eu_ai_act: EuAiActAssessment
    generated_at: _timestamp_pb2.Timestamp
    ledger_sequence: int
    nist: NistAssessment
    rollout: RolloutSummary
    supply_chain: SupplyChainSummary
    system_id: str
    def __init__(self, system_id: _Optional[str] = ..., generated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., nist: _Optional[_Union[NistAssessment, _Mapping]] = ..., eu_ai_act: _Optional[_Union[EuAiActAssessment, _Mapping]] = ..., supply_chain: _Optional[_Union[SupplyChainSummary, _Mapping]] = ..., aicm_coverage: _Optional[float] = ..., ledger_sequence: _Optional[int] = ..., checkpoint: _Optional[_Union[LedgerCheckpoint, _Mapping]] = ..., rollout: _Optional[_Union[RolloutSummary, _Mapping]] = ...) -> None: ...

class ComplianceStatistics(_message.Message):
    __slots__ = ["avg_risk_score", "by_threat", "monitored_decisions", "monitored_violations", "most_common_reason", "total_decisions", "total_violations"]
    class ByThreatEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    AVG_RISK_SCORE_FIELD_NUMBER: _ClassVar[int]
    BY_THREAT_FIELD_NUMBER: _ClassVar[int]
    MONITORED_DECISIONS_FIELD_NUMBER: _ClassVar[int]
    MONITORED_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    MOST_COMMON_REASON_FIELD_NUMBER: _ClassVar[int]
    TOTAL_DECISIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    avg_risk_score: float
    by_threat: _containers.ScalarMap[str, int]
    monitored_decisions: int
    monitored_violations: int
    most_common_reason: str
    total_decisions: int
    total_violations: int
    def __init__(self, total_decisions: _Optional[int] = ..., total_violations: _Optional[int] = ..., avg_risk_score: _Optional[float] = ..., most_common_reason: _Optional[str] = ..., by_threat: _Optional[_Mapping[str, int]] = ..., monitored_decisions: _Optional[int] = ..., monitored_violations: _Optional[int] = ...) -> None: ...

class CreateLedgerCheckpointRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class CreateLedgerCheckpointResponse(_message.Message):
    __slots__ = ["checkpoint"]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    checkpoint: LedgerCheckpoint
    def __init__(self, checkpoint: _Optional[_Union[LedgerCheckpoint, _Mapping]] = ...) -> None: ...

class EuAiActAssessment(_message.Message):
    __slots__ = ["articles"]
    ARTICLES_FIELD_NUMBER: _ClassVar[int]
    articles: _containers.RepeatedCompositeFieldContainer[ArticleStatus]
    def __init__(self, articles: _Optional[_Iterable[_Union[ArticleStatus, _Mapping]]] = ...) -> None: ...

class GetComplianceReportRequest(_message.Message):
    __slots__ = ["system_id"]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    system_id: str
    def __init__(self, system_id: _Optional[str] = ...) -> None: ...

class GetComplianceReportResponse(_message.Message):
    __slots__ = ["aicm_coverage", "eu_ai_act", "generated_at", "nist", "report", "rollout", "supply_chain", "system_id"]
    AICM_COVERAGE_FIELD_NUMBER: _ClassVar[int]
    EU_AI_ACT_FIELD_NUMBER: _ClassVar[int]
    GENERATED_AT_FIELD_NUMBER: _ClassVar[int]
    NIST_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    ROLLOUT_FIELD_NUMBER: _ClassVar[int]
    SUPPLY_CHAIN_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    aicm_coverage: float
    eu_ai_act: EuAiActAssessment
    generated_at: _timestamp_pb2.Timestamp
    nist: NistAssessment
    report: ComplianceReport
    rollout: RolloutSummary
    supply_chain: SupplyChainSummary
    system_id: str
    def __init__(self, system_id: _Optional[str] = ..., generated_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., nist: _Optional[_Union[NistAssessment, _Mapping]] = ..., eu_ai_act: _Optional[_Union[EuAiActAssessment, _Mapping]] = ..., supply_chain: _Optional[_Union[SupplyChainSummary, _Mapping]] = ..., aicm_coverage: _Optional[float] = ..., report: _Optional[_Union[ComplianceReport, _Mapping]] = ..., rollout: _Optional[_Union[RolloutSummary, _Mapping]] = ...) -> None: ...

class GetComplianceStatisticsRequest(_message.Message):
    __slots__ = ["since", "until"]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    def __init__(self, since: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetComplianceStatisticsResponse(_message.Message):
    __slots__ = ["compliance_status", "statistics", "tenant_id"]
    COMPLIANCE_STATUS_FIELD_NUMBER: _ClassVar[int]
    STATISTICS_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    compliance_status: str
    statistics: ComplianceStatistics
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., statistics: _Optional[_Union[ComplianceStatistics, _Mapping]] = ..., compliance_status: _Optional[str] = ...) -> None: ...

class GetConsistencyProofRequest(_message.Message):
    __slots__ = ["from_size", "to_size"]
    FROM_SIZE_FIELD_NUMBER: _ClassVar[int]
    TO_SIZE_FIELD_NUMBER: _ClassVar[int]
    from_size: int
    to_size: int
    def __init__(self, from_size: _Optional[int] = ..., to_size: _Optional[int] = ...) -> None: ...

class GetConsistencyProofResponse(_message.Message):
    __slots__ = ["proof", "to_size"]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    TO_SIZE_FIELD_NUMBER: _ClassVar[int]
    proof: _containers.RepeatedScalarFieldContainer[bytes]
    to_size: int
    def __init__(self, proof: _Optional[_Iterable[bytes]] = ..., to_size: _Optional[int] = ...) -> None: ...

class GetInclusionProofRequest(_message.Message):
    __slots__ = ["sequence", "tree_size"]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    tree_size: int
    def __init__(self, sequence: _Optional[int] = ..., tree_size: _Optional[int] = ...) -> None: ...

class GetInclusionProofResponse(_message.Message):
    __slots__ = ["leaf_hash", "proof", "tree_size"]
    LEAF_HASH_FIELD_NUMBER: _ClassVar[int]
    PROOF_FIELD_NUMBER: _ClassVar[int]
    TREE_SIZE_FIELD_NUMBER: _ClassVar[int]
    leaf_hash: bytes
    proof: _containers.RepeatedScalarFieldContainer[bytes]
    tree_size: int
    def __init__(self, leaf_hash: _Optional[bytes] = ..., tree_size: _Optional[int] = ..., proof: _Optional[_Iterable[bytes]] = ...) -> None: ...

class GetPolicyImpactRequest(_message.Message):
    __slots__ = ["since", "system_id", "until"]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    since: _timestamp_pb2.Timestamp
    system_id: str
    until: _timestamp_pb2.Timestamp
    def __init__(self, system_id: _Optional[str] = ..., since: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetPolicyImpactResponse(_message.Message):
    __slots__ = ["by_env", "by_threat", "changed", "decisions", "sample_decision_ids", "would_approve", "would_block", "would_review"]
    BY_ENV_FIELD_NUMBER: _ClassVar[int]
    BY_THREAT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_DECISION_IDS_FIELD_NUMBER: _ClassVar[int]
    WOULD_APPROVE_FIELD_NUMBER: _ClassVar[int]
    WOULD_BLOCK_FIELD_NUMBER: _ClassVar[int]
    WOULD_REVIEW_FIELD_NUMBER: _ClassVar[int]
    by_env: _containers.RepeatedCompositeFieldContainer[PolicyImpactGroup]
    by_threat: _containers.RepeatedCompositeFieldContainer[PolicyImpactGroup]
    changed: int
    decisions: int
    sample_decision_ids: _containers.RepeatedScalarFieldContainer[str]
    would_approve: int
    would_block: int
    would_review: int
    def __init__(self, decisions: _Optional[int] = ..., changed: _Optional[int] = ..., would_block: _Optional[int] = ..., would_approve: _Optional[int] = ..., would_review: _Optional[int] = ..., by_env: _Optional[_Iterable[_Union[PolicyImpactGroup, _Mapping]]] = ..., by_threat: _Optional[_Iterable[_Union[PolicyImpactGroup, _Mapping]]] = ..., sample_decision_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class LedgerCheckpoint(_message.Message):
    __slots__ = ["head_hash", "key_id", "note", "root_hash", "signature", "size", "tenant_id", "time"]
    HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    ROOT_HASH_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    head_hash: str
    key_id: str
    note: str
    root_hash: str
    signature: str
    size: int
    tenant_id: str
    time: str
    def __init__(self, tenant_id: _Optional[str] = ..., size: _Optional[int] = ..., head_hash: _Optional[str] = ..., time: _Optional[str] = ..., key_id: _Optional[str] = ..., signature: _Optional[str] = ..., root_hash: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ListLedgerCheckpointsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListLedgerCheckpointsResponse(_message.Message):
    __slots__ = ["checkpoints", "public_key_pem", "verifier_key"]
    CHECKPOINTS_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_PEM_FIELD_NUMBER: _ClassVar[int]
    VERIFIER_KEY_FIELD_NUMBER: _ClassVar[int]
    checkpoints: _containers.RepeatedCompositeFieldContainer[LedgerCheckpoint]
    public_key_pem: str
    verifier_key: str
    def __init__(self, checkpoints: _Optional[_Iterable[_Union[LedgerCheckpoint, _Mapping]]] = ..., public_key_pem: _Optional[str] = ..., verifier_key: _Optional[str] = ...) -> None: ...

class ListLedgerEntriesRequest(_message.Message):
    __slots__ = ["after_sequence", "limit"]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    after_sequence: int
    limit: int
    def __init__(self, after_sequence: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListLedgerEntriesResponse(_message.Message):
    __slots__ = ["entries", "head_sequence"]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[_types_pb2.LedgerEntry]
    head_sequence: int
    def __init__(self, entries: _Optional[_Iterable[_Union[_types_pb2.LedgerEntry, _Mapping]]] = ..., head_sequence: _Optional[int] = ...) -> None: ...

class ListPendingReviewsRequest(_message.Message):
    __slots__ = ["limit", "page_token"]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    limit: int
    page_token: str
    def __init__(self, limit: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPendingReviewsResponse(_message.Message):
    __slots__ = ["next_page_token", "pending_count", "reviews", "tenant_id"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PENDING_COUNT_FIELD_NUMBER: _ClassVar[int]
    REVIEWS_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    pending_count: int
    reviews: _containers.RepeatedCompositeFieldContainer[_types_pb2.Review]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., pending_count: _Optional[int] = ..., reviews: _Optional[_Iterable[_Union[_types_pb2.Review, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class MonitorPeriod(_message.Message):
    __slots__ = ["set_by", "since", "until"]
    SET_BY_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    set_by: str
    since: _timestamp_pb2.Timestamp
    until: _timestamp_pb2.Timestamp
    def __init__(self, since: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., until: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., set_by: _Optional[str] = ...) -> None: ...

class NistAssessment(_message.Message):
    __slots__ = ["compliance_percentage", "implemented", "roadmap"]
    COMPLIANCE_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    IMPLEMENTED_FIELD_NUMBER: _ClassVar[int]
    ROADMAP_FIELD_NUMBER: _ClassVar[int]
    compliance_percentage: float
    implemented: _containers.RepeatedScalarFieldContainer[str]
    roadmap: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, compliance_percentage: _Optional[float] = ..., implemented: _Optional[_Iterable[str]] = ..., roadmap: _Optional[_Iterable[str]] = ...) -> None: ...

class PolicyImpactGroup(_message.Message):
    __slots__ = ["changed", "decisions", "key", "would_approve", "would_block", "would_review"]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    WOULD_APPROVE_FIELD_NUMBER: _ClassVar[int]
    WOULD_BLOCK_FIELD_NUMBER: _ClassVar[int]
    WOULD_REVIEW_FIELD_NUMBER: _ClassVar[int]
    changed: int
    decisions: int
    key: str
    would_approve: int
    would_block: int
    would_review: int
    def __init__(self, key: _Optional[str] = ..., decisions: _Optional[int] = ..., changed: _Optional[int] = ..., would_block: _Optional[int] = ..., would_approve: _Optional[int] = ..., would_review: _Optional[int] = ...) -> None: ...

class ResolveReviewRequest(_message.Message):
    __slots__ = ["approve", "notes", "request_id"]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    approve: bool
    notes: str
    request_id: str
    def __init__(self, request_id: _Optional[str] = ..., approve: bool = ..., notes: _Optional[str] = ...) -> None: ...

class ResolveReviewResponse(_message.Message):
    __slots__ = ["review"]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    review: _types_pb2.Review
    def __init__(self, review: _Optional[_Union[_types_pb2.Review, _Mapping]] = ...) -> None: ...

class RolloutSummary(_message.Message):
    __slots__ = ["candidate_impact", "candidate_set", "monitor_environments", "monitor_periods", "monitored_decisions", "monitored_violations"]
    CANDIDATE_IMPACT_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_SET_FIELD_NUMBER: _ClassVar[int]
    MONITORED_DECISIONS_FIELD_NUMBER: _ClassVar[int]
    MONITORED_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    MONITOR_ENVIRONMENTS_FIELD_NUMBER: _ClassVar[int]
    MONITOR_PERIODS_FIELD_NUMBER: _ClassVar[int]
    candidate_impact: PolicyImpactGroup
    candidate_set: bool
    monitor_environments: _containers.RepeatedScalarFieldContainer[str]
    monitor_periods: _containers.RepeatedCompositeFieldContainer[MonitorPeriod]
    monitored_decisions: int
    monitored_violations: int
    def __init__(self, monitor_periods: _Optional[_Iterable[_Union[MonitorPeriod, _Mapping]]] = ..., monitor_environments: _Optional[_Iterable[str]] = ..., monitored_decisions: _Optional[int] = ..., monitored_violations: _Optional[int] = ..., candidate_set: bool = ..., candidate_impact: _Optional[_Union[PolicyImpactGroup, _Mapping]] = ...) -> None: ...

class SupplyChainSummary(_message.Message):
    __slots__ = ["components", "overall_risk", "total_components"]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    OVERALL_RISK_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    components: _containers.RepeatedCompositeFieldContainer[_types_pb2.ThirdPartyComponent]
    overall_risk: _types_pb2.RiskLevel
    total_components: int
    def __init__(self, overall_risk: _Optional[_Union[_types_pb2.RiskLevel, str]] = ..., total_components: _Optional[int] = ..., components: _Optional[_Iterable[_Union[_types_pb2.ThirdPartyComponent, _Mapping]]] = ...) -> None: ...

class VerifyLedgerRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class VerifyLedgerResponse(_message.Message):
    __slots__ = ["checkpoints_checked", "detail", "entries_checked", "first_invalid_sequence", "problem", "valid"]
    CHECKPOINTS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_CHECKED_FIELD_NUMBER: _ClassVar[int]
    FIRST_INVALID_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    checkpoints_checked: int
    detail: str
    entries_checked: int
    first_invalid_sequence: int
    problem: str
    valid: bool
    def __init__(self, valid: bool = ..., entries_checked: _Optional[int] = ..., first_invalid_sequence: _Optional[int] = ..., problem: _Optional[str] = ..., detail: _Optional[str] = ..., checkpoints_checked: _Optional[int] = ...) -> None: ...
