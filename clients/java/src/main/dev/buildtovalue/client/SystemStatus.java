package dev.buildtovalue.client;

import btv.v1.Types;

/** SystemStatus is what the watch cache knows about one system; statuses without prefix ("EMERGENCY_STOP"). */
public final class SystemStatus {
  public final String systemId;
  public final String operationalStatus;
  public final String lifecyclePhase;
  public final long revision;
  public final String reason;
  public final String operator;

  SystemStatus(Types.StatusEvent e) {
    this.systemId = e.getSystemId();
    this.operationalStatus = e.getNewStatus().name().replaceFirst("^OPERATIONAL_STATUS_", "");
    this.lifecyclePhase = e.getNewPhase().name().replaceFirst("^LIFECYCLE_PHASE_", "");
    this.revision = e.getRevision();
    this.reason = e.getReason();
    this.operator = e.getOperator();
  }

  @Override
  public String toString() {
    return systemId + " " + operationalStatus + "/" + lifecyclePhase + " @" + revision;
  }
}
