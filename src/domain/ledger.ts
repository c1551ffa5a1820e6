import { Checkpoint, CheckpointSigner } from '../ledger/checkpoint';
import { LedgerRecord } from '../ledger/entry';
import { KeyRing } from '../ledger/keyring';
import { LedgerVerifier, VerifyResult } from '../ledger/verify';
import { LedgerReader } from '../store/ports';
import { RequestContext } from './context';
import { DomainError, invalidArgument } from './errors';
import { Instruments, NO_INSTRUMENTS } from './instruments';
import { Clock } from './tenants';

export const DEFAULT_LEDGER_PAGE = 100;
export const MAX_LEDGER_PAGE = 1000;
const READ_CHUNK = 1000;
/** Entries verified between two turns of the event loop: other calls wait at most one page. */
const VERIFY_PAGE = 200;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** About what an entry takes in a response: its variable-length fields plus the fixed ones. */
const recordBytes = (r: LedgerRecord) => 400 + Buffer.byteLength(r.payload) + r.actorSubject.length * 3 + r.requestId.length + r.eventType.length;

export class LedgerService {
  /** The newest checkpoint this process made or saw per tenant: a database restored to an older copy cannot roll it back. */
  private readonly witnessed = new Map<string, Checkpoint>();

  constructor(
    private readonly ledger: LedgerReader,
    private readonly keyRing: KeyRing,
    private readonly signer: CheckpointSigner,
    private readonly clock: Clock,
    /** Most bytes of entries in one ListLedgerEntries page, so a page always fits the response limit. */
    private readonly pageBytes = 1 << 20,
    private readonly instruments: Instruments = NO_INSTRUMENTS,
  ) {}

  async list(ctx: RequestContext, afterSequence: number, limit: number) {
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LEDGER_PAGE) {
      throw invalidArgument('limit', `must be from 0 to ${MAX_LEDGER_PAGE} (0 means ${DEFAULT_LEDGER_PAGE})`);
    }
    const [entries, head] = await Promise.all([
      this.ledger.list(ctx.tenantId, afterSequence, limit || DEFAULT_LEDGER_PAGE),
      this.ledger.head(ctx.tenantId),
    ]);
    // A page holds fewer entries than asked for when they are large (never none): the caller pages
    // on from the last sequence it got, as it does at the end of any page.
    let bytes = 0;
    let n = 0;
    while (n < entries.length && (n === 0 || bytes + recordBytes(entries[n]) <= this.pageBytes)) bytes += recordBytes(entries[n++]);
    return { entries: n < entries.length ? entries.slice(0, n) : entries, head };
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
    const checkpoints = await this.trustedCheckpoints(tenantId);
    return { records: await this.records(tenantId), checkpoints };
  }

  /** The stored checkpoints, plus the newest one this process made if the database lost it. */
  private async trustedCheckpoints(tenantId: string): Promise<Checkpoint[]> {
    const seen = this.witnessed.get(tenantId);
    const stored = await this.ledger.checkpoints(tenantId);
    const known = seen && stored.some((c) => c.size === seen.size && c.headHash === seen.headHash);
    return seen && !known ? [...stored, seen] : stored;
  }

  /**
   * Verifies the whole ledger page by page: memory stays bounded by a page, and the event loop is
   * given back after each one, so a long ledger never holds up other calls (a stop included).
   * Damaged storage is a verdict (problem "unreadable"), not an error.
   */
  async verify(tenantId: string): Promise<VerifyResult> {
    const verdict = await this.verifyAll(tenantId);
    if (!verdict.valid) this.instruments.ledgerVerifyFailed(tenantId, verdict.problem);
    return verdict;
  }

  private async verifyAll(tenantId: string): Promise<VerifyResult> {
    const checkpoints = await this.trustedCheckpoints(tenantId);
    const v = new LedgerVerifier({ key: (kid) => this.keyRing.get(kid), checkpoints, checkpointKey: this.signer.publicKey });
    for (let after = 0; ; ) {
      let page: LedgerRecord[];
      try {
        page = await this.ledger.list(tenantId, after, VERIFY_PAGE);
      } catch (e) {
        if (!(e instanceof DomainError && e.reason === 'STORAGE_DAMAGED')) throw e;
        return {
          valid: false,
          entriesChecked: v.checked,
          firstInvalidSequence: after + 1,
          problem: 'unreadable',
          detail: `the database reported damaged data while reading the entries after sequence ${after}`,
          signaturesChecked: true,
          checkpointsChecked: 0,
        };
      }
      const verdict = v.push(page);
      if (verdict) return verdict;
      if (page.length < VERIFY_PAGE) return v.finish();
      after = page[page.length - 1].sequence;
      await nextTurn();
    }
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
