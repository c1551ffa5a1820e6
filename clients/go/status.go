package buildtovalue

import (
	"fmt"
	"strings"

	btvv1 "buildtovalue.dev/btv/clients/go/btvv1"
)

// Outcomes of Enforce.
const (
	Approved       = "APPROVED"
	Blocked        = "BLOCKED"
	ReviewRequired = "REVIEW_REQUIRED"
)

// Sources of a Result.
const (
	SourceServer     = "server"
	SourceCache      = "cache"
	SourceFailClosed = "fail_closed"
)

// Result is the answer to one Enforce: run the task only when Allowed.
type Result struct {
	// Outcome is Approved, Blocked or ReviewRequired.
	Outcome string
	Allowed bool
	// Reason is the server's ("KILL_SWITCH_ACTIVE: …") or "CLIENT_FAIL_CLOSED: …".
	Reason string
	// Decision is the server's, or one built here (no DecisionId) for a cached or fail-closed block.
	Decision *btvv1.Decision
	// Source is SourceServer, SourceCache (no call made) or SourceFailClosed.
	Source string
}

// SystemStatus is what the watch cache knows about one system; statuses
// without their prefix ("EMERGENCY_STOP", "DECOMMISSIONING").
type SystemStatus struct {
	SystemID          string
	OperationalStatus string
	LifecyclePhase    string
	Revision          uint64
	Reason            string
	Operator          string
}

func toStatus(e *btvv1.StatusEvent) SystemStatus {
	return SystemStatus{
		SystemID:          e.GetSystemId(),
		OperationalStatus: strings.TrimPrefix(e.GetNewStatus().String(), "OPERATIONAL_STATUS_"),
		LifecyclePhase:    strings.TrimPrefix(e.GetNewPhase().String(), "LIFECYCLE_PHASE_"),
		Revision:          e.GetRevision(),
		Reason:            e.GetReason(),
		Operator:          e.GetOperator(),
	}
}

// The server's status gates, in its order (kill switch first), with its reason codes.
var gates = map[string][5]string{
	"EMERGENCY_STOP": {"KILL_SWITCH_ACTIVE", "under emergency stop", "EMERGENCY_STOP", "emergency_stop_active", "Emergency Stop Protocol"},
	"SUSPENDED":      {"SYSTEM_SUSPENDED", "suspended", "SYSTEM_SUSPENDED", "system_suspended", "Operational Status Gate"},
	"MAINTENANCE":    {"SYSTEM_MAINTENANCE", "in maintenance", "SYSTEM_MAINTENANCE", "system_maintenance", "Operational Status Gate"},
}
var decommissioned = [5]string{"SYSTEM_DECOMMISSIONED", "being decommissioned", "SYSTEM_DECOMMISSIONED", "system_decommissioned", "Lifecycle Gate"}

// cachedBlock is the answer a cached status gives without a call, or nil when only the server can decide.
func cachedBlock(s SystemStatus) *Result {
	g, ok := gates[s.OperationalStatus]
	if !ok {
		if s.LifecyclePhase != "DECOMMISSIONING" {
			return nil
		}
		g = decommissioned
	}
	reason := fmt.Sprintf("%s: %s is %s (watched status, revision %d)", g[0], s.SystemID, g[1], s.Revision)
	return blocked(s.SystemID, reason, g[2], g[3], g[4], SourceCache)
}

func failClosed(systemID string, why error) *Result {
	return blocked(systemID, "CLIENT_FAIL_CLOSED: "+why.Error(), "CLIENT_FAIL_CLOSED", "client_fail_closed", "Client Fail-Closed", SourceFailClosed)
}

func blocked(systemID, reason, threat, subThreat, control, source string) *Result {
	return &Result{
		Outcome: Blocked,
		Reason:  reason,
		Source:  source,
		Decision: &btvv1.Decision{
			SystemId:        systemID,
			Outcome:         btvv1.DecisionOutcome_DECISION_OUTCOME_BLOCKED,
			RiskScore:       10,
			Confidence:      1,
			Reason:          reason,
			DetectedThreats: []string{threat},
			SubThreatType:   subThreat,
			ControlsApplied: []string{control},
		},
	}
}

func fromDecision(d *btvv1.Decision) *Result {
	outcome := Blocked // an outcome this client does not know is never taken as approval
	switch d.GetOutcome() {
	case btvv1.DecisionOutcome_DECISION_OUTCOME_APPROVED:
		outcome = Approved
	case btvv1.DecisionOutcome_DECISION_OUTCOME_REVIEW_REQUIRED:
		outcome = ReviewRequired
	}
	return &Result{Outcome: outcome, Allowed: outcome == Approved, Reason: d.GetReason(), Decision: d, Source: SourceServer}
}
