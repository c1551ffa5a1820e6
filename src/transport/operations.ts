import type * as grpc from '@grpc/grpc-js';
import type * as pb from '../../gen/ts/btv/v1/operations';
import * as types from '../../gen/ts/btv/v1/types';
import { invalidArgument, systemNotFound } from '../domain/errors';
import type { LifecyclePhase, OperationalStatus } from '../domain/model';
import type { ChangeResult, KillSwitchService } from '../killswitch/service';
import { SYSTEM_ID_RE } from '../domain/validation';
import type { StatusHub } from '../killswitch/hub';
import type { Metrics } from '../telemetry/metrics';
import type { WatchEvent, WatchOptions, WatchStore } from '../killswitch/watch';
import { WatchSession } from '../killswitch/watch';
import { WatchAdmission } from '../killswitch/admission';
import type { ServiceHandlers } from './adapter';
import { fromProto, toProto } from './enums';

export interface OperationsDeps {
  killSwitch: KillSwitchService;
  watchStore: WatchStore;
  hub: StatusHub;
  watch: WatchOptions;
  metrics?: Metrics;
}

type Handlers = ServiceHandlers<typeof pb.OperationsServiceService>;

const status = (s: OperationalStatus | undefined) =>
  s ? toProto(types.OperationalStatus, 'OPERATIONAL_STATUS_', s) : 0;
const phase = (p: LifecyclePhase | undefined) => (p ? toProto(types.LifecyclePhase, 'LIFECYCLE_PHASE_', p) : 0);

const statusChange = (r: ChangeResult): types.StatusChange => ({
  systemId: r.systemId,
  previousStatus: status(r.previousStatus),
  newStatus: status(r.newStatus),
  timestamp: r.timestamp,
  acknowledged: true,
  operator: r.operator,
  message: r.message,
  revision: r.revision,
  replayed: r.replayed,
  operatorClaim: r.operatorClaim,
});

const EVENT_TYPES = {
  snapshot: types.StatusEventType.STATUS_EVENT_TYPE_SNAPSHOT,
  change: types.StatusEventType.STATUS_EVENT_TYPE_CHANGE,
  heartbeat: types.StatusEventType.STATUS_EVENT_TYPE_HEARTBEAT,
};

export const eventToProto = (e: WatchEvent): pb.WatchSystemStatusResponse => ({
  event: {
    type: EVENT_TYPES[e.type],
    systemId: e.systemId,
    previousStatus: status(e.previousStatus),
    newStatus: status(e.newStatus),
    revision: e.revision,
    timestamp: e.timestamp,
    reason: e.reason,
    operator: e.operator,
    previousPhase: phase(e.previousPhase),
    newPhase: phase(e.newPhase),
  },
});

const MAX_WATCHED = 1000;

/** Thin handlers for the kill switch and the status watch. */
export function operationsHandlers(d: OperationsDeps): Handlers {
  const admission = new WatchAdmission(d.watch.maxPerTenant);
  return {
    async emergencyStop(ctx, req: pb.EmergencyStopRequest): Promise<pb.EmergencyStopResponse> {
      const r = await d.killSwitch.emergencyStop(ctx, {
        systemId: req.systemId,
        reason: req.reason,
        operatorId: req.operatorId,
        idempotencyKey: req.requestId,
      });
      return { statusChange: statusChange(r) };
    },

    async setOperationalStatus(ctx, req: pb.SetOperationalStatusRequest): Promise<pb.SetOperationalStatusResponse> {
      const r = await d.killSwitch.setStatus(ctx, {
        systemId: req.systemId,
        target: fromProto<OperationalStatus>(
          types.OperationalStatus,
          'OPERATIONAL_STATUS_',
          req.operationalStatus,
          'operational_status',
        ),
        reason: req.reason,
        operatorId: req.operatorId,
        idempotencyKey: req.requestId,
      });
      return { statusChange: statusChange(r) };
    },

    async setLifecyclePhase(ctx, req: pb.SetLifecyclePhaseRequest): Promise<pb.SetLifecyclePhaseResponse> {
      const r = await d.killSwitch.setPhase(ctx, {
        systemId: req.systemId,
        target: fromProto<LifecyclePhase>(
          types.LifecyclePhase,
          'LIFECYCLE_PHASE_',
          req.lifecyclePhase,
          'lifecycle_phase',
        ),
        reason: req.reason,
        operatorId: req.operatorId,
        idempotencyKey: req.requestId,
      });
      return {
        phaseChange: {
          systemId: r.systemId,
          previousPhase: phase(r.previousPhase),
          newPhase: phase(r.newPhase),
          timestamp: r.timestamp,
          acknowledged: true,
          operator: r.operator,
          message: r.message,
          revision: r.revision,
          replayed: r.replayed,
          operatorClaim: r.operatorClaim,
        },
      };
    },

    async getOperationalStatus(ctx, req: pb.GetOperationalStatusRequest): Promise<pb.GetOperationalStatusResponse> {
      const v = await d.killSwitch.get(ctx, req.systemId);
      return {
        status: {
          systemId: v.systemId,
          operationalStatus: status(v.operationalStatus),
          lifecyclePhase: phase(v.lifecyclePhase),
          revision: v.revision,
          updatedAt: v.updatedAt,
          reason: v.reason,
          operator: v.operator,
        },
      };
    },

    async watchSystemStatus(
      ctx,
      req: pb.WatchSystemStatusRequest,
      call: grpc.ServerWritableStream<pb.WatchSystemStatusRequest, pb.WatchSystemStatusResponse>,
    ): Promise<void> {
      if (req.systemIds.length > MAX_WATCHED)
        throw invalidArgument('system_ids', `must name at most ${MAX_WATCHED} systems`);
      // An id no system can have is unknown, as a missing one is (and never reaches the database).
      const malformed = req.systemIds.find((id) => !SYSTEM_ID_RE.test(id));
      if (malformed !== undefined) throw systemNotFound(malformed);
      const release = admission.admit(ctx.tenantId);
      d.metrics?.watchOpened(ctx.tenantId, 1);
      try {
        const session = new WatchSession(
          d.watchStore,
          d.hub,
          d.watch,
          ctx.tenantId,
          [...new Set(req.systemIds)],
          ctx.expiresAt,
          {
            write: (e) => call.write(eventToProto(e)),
            onceDrain: (fn) => call.once('drain', fn),
          },
        );
        call.once('cancelled', () => session.cancel());
        await session.start(req.sinceRevision);
        return await session.done;
      } finally {
        d.metrics?.watchOpened(ctx.tenantId, -1);
        release();
      }
    },
  };
}
