import * as pb from '../../gen/ts/btv/v1/audit';
import * as types from '../../gen/ts/btv/v1/types';
import { RequestContext } from '../domain/context';
import { LedgerService } from '../domain/ledger';
import { Checkpoint } from '../ledger/checkpoint';
import { LedgerRecord } from '../ledger/entry';

export interface AuditDeps {
  ledger: LedgerService;
}

type Handlers = {
  [K in keyof pb.AuditServiceServer]?: (ctx: RequestContext, req: any) => Promise<unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

export function entryToProto(r: LedgerRecord): types.LedgerEntry {
  return {
    tenantId: r.tenantId,
    sequence: r.sequence,
    timestamp: new Date(r.timestamp),
    eventType: r.eventType,
    actorSubject: r.actorSubject,
    actorRole: r.actorRole,
    requestId: r.requestId,
    payloadJson: r.payload,
    prevHash: r.prevHash,
    entryHash: r.entryHash,
    keyId: r.keyId,
    signature: r.signature,
  };
}

const checkpointToProto = (c: Checkpoint): pb.LedgerCheckpoint => ({ ...c });

/** Ledger reads and checkpoints; reports, statistics and reviews arrive with their issue. */
export function auditHandlers(d: AuditDeps): Handlers {
  return {
    async listLedgerEntries(ctx, req: pb.ListLedgerEntriesRequest): Promise<pb.ListLedgerEntriesResponse> {
      const { entries, head } = await d.ledger.list(ctx, req.afterSequence, req.limit);
      return { entries: entries.map(entryToProto), headSequence: head.sequence };
    },

    async verifyLedger(ctx): Promise<pb.VerifyLedgerResponse> {
      const r = await d.ledger.verify(ctx.tenantId);
      return {
        valid: r.valid,
        entriesChecked: r.entriesChecked,
        firstInvalidSequence: r.firstInvalidSequence,
        problem: r.problem,
        detail: r.detail,
        checkpointsChecked: r.checkpointsChecked,
      };
    },

    async createLedgerCheckpoint(ctx): Promise<pb.CreateLedgerCheckpointResponse> {
      return { checkpoint: checkpointToProto(await d.ledger.checkpoint(ctx.tenantId)) };
    },

    async listLedgerCheckpoints(ctx): Promise<pb.ListLedgerCheckpointsResponse> {
      const cps = await d.ledger.checkpoints(ctx.tenantId);
      return { checkpoints: cps.map(checkpointToProto), publicKeyPem: d.ledger.publicKeyPem };
    },
  };
}
