import { Checkpoint, CheckpointSigner } from '../ledger/checkpoint';
import { LedgerRecord } from '../ledger/entry';
import { KeyRing } from '../ledger/keyring';
import { verifyRecords, VerifyResult } from '../ledger/verify';
import { LedgerReader } from '../store/ports';
import { RequestContext } from './context';
import { invalidArgument } from './errors';
import { Clock } from './tenants';

export const DEFAULT_LEDGER_PAGE = 100;
export const MAX_LEDGER_PAGE = 1000;
const READ_CHUNK = 1000;

export class LedgerService {
  /** The newest checkpoint this process made or saw per tenant: a database restored to an older copy cannot roll it back. */
  private readonly witnessed = new Map<string, Checkpoint>();

  constructor(
    private readonly ledger: LedgerReader,
    private readonly keyRing: KeyRing,
    private readonly signer: CheckpointSigner,
    private readonly clock: Clock,
  ) {}

  async list(ctx: RequestContext, afterSequence: number, limit: number) {
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LEDGER_PAGE) {
      throw invalidArgument('limit', `must be from 0 to ${MAX_LEDGER_PAGE} (0 means ${DEFAULT_LEDGER_PAGE})`);
    }
    const [entries, head] = await Promise.all([
      this.ledger.list(ctx.tenantId, afterSequence, limit || DEFAULT_LEDGER_PAGE),
      this.ledger.head(ctx.tenantId),
    ]);
    return { entries, head };
  }

  async records(tenantId: string): Promise<LedgerRecord[]> {
    const all: LedgerRecord[] = [];
    for (;;) {
      const page = await this.ledger.list(tenantId, all.length ? all[all.length - 1].sequence : 0, READ_CHUNK);
      all.push(...page);
      if (page.length < READ_CHUNK) return all;
    }
  }

  /**
   * Checkpoints are read before the entries, one after the other: a checkpoint
   * signs a head committed with its entries, so entries read afterwards always
   * cover it. Reading them the other way round (or at once) would let a
   * checkpoint made meanwhile look like a truncation.
   */
  async snapshot(tenantId: string): Promise<{ records: LedgerRecord[]; checkpoints: Checkpoint[] }> {
    const seen = this.witnessed.get(tenantId);
    const stored = await this.ledger.checkpoints(tenantId);
    const records = await this.records(tenantId);
    const known = seen && stored.some((c) => c.size === seen.size && c.headHash === seen.headHash);
    return { records, checkpoints: seen && !known ? [...stored, seen] : stored };
  }

  async verify(tenantId: string): Promise<VerifyResult> {
    const { records, checkpoints } = await this.snapshot(tenantId);
    return verifyRecords(records, {
      key: (kid) => this.keyRing.get(kid),
      checkpoints,
      checkpointKey: this.signer.publicKey,
    });
  }

  /** Signs the tenant's current head (size 0 for an empty ledger). */
  async checkpoint(tenantId: string): Promise<Checkpoint> {
    const head = await this.ledger.head(tenantId);
    const cp = this.signer.sign(tenantId, head.sequence, head.headHash, this.clock());
    await this.ledger.insertCheckpoint(cp);
    this.witness(cp);
    return cp;
  }

  /** Checkpoints every tenant whose ledger moved since its last checkpoint. */
  async checkpointMoved(): Promise<number> {
    const heads = await this.ledger.headsWithoutCheckpoint();
    for (const h of heads) {
      const cp = this.signer.sign(h.tenantId, h.sequence, h.headHash, this.clock());
      await this.ledger.insertCheckpoint(cp);
      this.witness(cp);
    }
    return heads.length;
  }

  checkpoints(tenantId: string): Promise<Checkpoint[]> {
    return this.ledger.checkpoints(tenantId);
  }

  get publicKeyPem(): string {
    return this.signer.publicKeyPem();
  }

  private witness(cp: Checkpoint): void {
    const prev = this.witnessed.get(cp.tenantId);
    if (!prev || prev.size < cp.size) this.witnessed.set(cp.tenantId, cp);
  }
}
