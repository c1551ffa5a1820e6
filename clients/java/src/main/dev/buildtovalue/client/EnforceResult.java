package dev.buildtovalue.client;

import btv.v1.Types;
import java.util.Map;

/** EnforceResult is the answer to one enforce: run the task only when {@link #allowed()}. */
public final class EnforceResult {
  public static final String APPROVED = "APPROVED";
  public static final String BLOCKED = "BLOCKED";
  public static final String REVIEW_REQUIRED = "REVIEW_REQUIRED";

  /** Where an answer came from: the server, the watch cache (no call made), or fail-closed. */
  public enum Source { SERVER, CACHE, FAIL_CLOSED }

  private final String outcome;
  private final String reason;
  private final Types.Decision decision;
  private final Source source;

  private EnforceResult(String outcome, String reason, Types.Decision decision, Source source) {
    this.outcome = outcome;
    this.reason = reason;
    this.decision = decision;
    this.source = source;
  }

  /** "APPROVED", "BLOCKED" or "REVIEW_REQUIRED". */
  public String outcome() {
    return outcome;
  }

  public boolean allowed() {
    return APPROVED.equals(outcome);
  }

  /** The server's reason ("KILL_SWITCH_ACTIVE: …") or "CLIENT_FAIL_CLOSED: …". */
  public String reason() {
    return reason;
  }

  /** The server's decision, or one built here (no decision_id) for a cached or fail-closed block. */
  public Types.Decision decision() {
    return decision;
  }

  public Source source() {
    return source;
  }

  // The server's status gates, in its order (kill switch first), with its reason codes.
  private static final Map<String, String[]> GATES = Map.of(
      "EMERGENCY_STOP", new String[] {"KILL_SWITCH_ACTIVE", "under emergency stop", "EMERGENCY_STOP", "emergency_stop_active", "Emergency Stop Protocol"},
      "SUSPENDED", new String[] {"SYSTEM_SUSPENDED", "suspended", "SYSTEM_SUSPENDED", "system_suspended", "Operational Status Gate"},
      "MAINTENANCE", new String[] {"SYSTEM_MAINTENANCE", "in maintenance", "SYSTEM_MAINTENANCE", "system_maintenance", "Operational Status Gate"});
  private static final String[] DECOMMISSIONED = {"SYSTEM_DECOMMISSIONED", "being decommissioned", "SYSTEM_DECOMMISSIONED", "system_decommissioned", "Lifecycle Gate"};

  /** The answer a cached status gives without a call, or null when only the server can decide. */
  static EnforceResult cachedBlock(SystemStatus s) {
    String[] g = GATES.get(s.operationalStatus);
    if (g == null && "DECOMMISSIONING".equals(s.lifecyclePhase)) g = DECOMMISSIONED;
    if (g == null) return null;
    String reason = g[0] + ": " + s.systemId + " is " + g[1] + " (watched status, revision " + s.revision + ")";
    return blocked(s.systemId, reason, g[2], g[3], g[4], Source.CACHE);
  }

  static EnforceResult failClosed(String systemId, String why) {
    return blocked(systemId, "CLIENT_FAIL_CLOSED: " + why, "CLIENT_FAIL_CLOSED", "client_fail_closed", "Client Fail-Closed", Source.FAIL_CLOSED);
  }

  private static EnforceResult blocked(String systemId, String reason, String threat, String subThreat, String control, Source source) {
    Types.Decision d = Types.Decision.newBuilder()
        .setSystemId(systemId)
        .setOutcome(Types.DecisionOutcome.DECISION_OUTCOME_BLOCKED)
        .setRiskScore(10)
        .setConfidence(1)
        .setReason(reason)
        .addDetectedThreats(threat)
        .setSubThreatType(subThreat)
        .addControlsApplied(control)
        .build();
    return new EnforceResult(BLOCKED, reason, d, source);
  }

  static EnforceResult fromDecision(Types.Decision d) {
    String outcome;
    switch (d.getOutcome()) {
      case DECISION_OUTCOME_APPROVED:
        outcome = APPROVED;
        break;
      case DECISION_OUTCOME_REVIEW_REQUIRED:
        outcome = REVIEW_REQUIRED;
        break;
      default:
        outcome = BLOCKED; // an outcome this client does not know is never taken as approval
    }
    return new EnforceResult(outcome, d.getReason(), d, Source.SERVER);
  }
}
