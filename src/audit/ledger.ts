import type { Checkpoint, CheckpointSigner } from '../ledger/checkpoint';
import { verifyCheckpointSignature } from '../ledger/checkpoint';
import type { LedgerRecord } from '../ledger/entry';
import { canonicalForm, GENESIS_HASH, hmacHex, sha256Hex } from '../ledger/entry';
import type { KeyRing } from '../ledger/keyring';
import type { VerifyResult } from '../ledger/verify';
import { LedgerVerifier, safeEqualHex } from '../ledger/verify';
import type { LedgerHead, LedgerReader } from '../store/ports';
import type { RequestContext } from '../domain/context';
import { DomainError, invalidArgument, notFound } from '../domain/errors';
import type { Instruments } from '../domain/instruments';
import { NO_INSTRUMENTS } from '../domain/instruments';
import type { NodeRef } from '../ledger/merkle';
import { appendLeaf, consistencyPlan, inclusionPlan, leafHash, nodeKey, rootFromFrontier } from '../ledger/merkle';
import type { Clock } from '../domain/clock';

export const DEFAULT_LEDGER_PAGE = 100;
export const MAX_LEDGER_PAGE = 1000;
const READ_CHUNK = 1000;
/** Entries verified between two turns of the event loop: other calls wait at most one page. */
const VERIFY_PAGE = 200;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** About what an entry takes in a response: its variable-length fields plus the fixed ones. */
const recordBytes = (r: LedgerRecord) =>
  400 + Buffer.byteLength(r.payload) + r.actorSubject.length * 3 + r.requestId.length + r.eventType.length;

/** Every node below the head is written with the entry that completes it: a missing one is damage. */
function complete(nodes: Map<string, Buffer>, wanted: number): Map<string, Buffer> {
  if (nodes.size < wanted)
    throw new DomainError({
      kind: 'unavailable',
      reason: 'STORAGE_DAMAGED',
      message: 'the ledger tree is incomplete: run VerifyLedger',
    });
  return nodes;
}

const damaged = (why: string) =>
  new DomainError({
    kind: 'unavailable',
    reason: 'STORAGE_DAMAGED',
    message: `the ledger tree does not match its entries (${why}): nothing is signed; run VerifyLedger`,
  });

/** The complete subtrees of a tree of `size` leaves, largest first: the nodes of its frontier. */
function frontierNodes(size: number): NodeRef[] {
  const out: NodeRef[] = [];
  let start = 0;
  for (let level = Math.floor(Math.log2(Math.max(1, size))); level >= 0 && start < size; level--) {
    const width = 2 ** level;
    if (size - start >= width) {
      out.push({ level, index: start / width });
      start += width;
    }
  }
  return out;
}

const outOfRange = (field: string, description: string) =>
  new DomainError({
    kind: 'out_of_range',
    reason: 'TREE_SIZE_OUT_OF_RANGE',
    message: `${field}: ${description}`,
    metadata: { field },
    fieldViolations: [{ field, description }],
  });

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
    while (n < entries.length && (n === 0 || bytes + recordBytes(entries[n]) <= this.pageBytes))
      bytes += recordBytes(entries[n++]);
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
    const v = new LedgerVerifier({
      key: (kid) => this.keyRing.get(kid),
      checkpoints,
      checkpointKey: this.signer.publicKey,
    });
    for (let after = 0; ;) {
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

  /** Signs the tenant's current head (size 0 for an empty ledger) and its tree root, as a signed note too. */
  async checkpoint(tenantId: string): Promise<Checkpoint> {
    const head = await this.ledger.head(tenantId);
    const cp = this.signer.sign(
      tenantId,
      head.sequence,
      head.headHash,
      this.clock(),
      await this.verifiedRoot(tenantId, head),
    );
    await this.ledger.insertCheckpoint(cp);
    this.witness(cp);
    return cp;
  }

  /** Checkpoints every tenant whose ledger moved since its last checkpoint. */
  async checkpointMoved(): Promise<number> {
    const heads = await this.ledger.headsWithoutCheckpoint();
    // One tenant's damaged tree must not keep the others' checkpoints from being signed.
    const refused: string[] = [];
    for (const h of heads) {
      let root: Buffer;
      try {
        root = await this.verifiedRoot(h.tenantId, h);
      } catch (e) {
        if (!(e instanceof DomainError && e.reason === 'STORAGE_DAMAGED')) throw e;
        refused.push(h.tenantId);
        continue;
      }
      const cp = this.signer.sign(h.tenantId, h.sequence, h.headHash, this.clock(), root);
      await this.ledger.insertCheckpoint(cp);
      this.witness(cp);
    }
    if (refused.length)
      throw damaged(
        `tenants ${refused.slice(0, 5).join(', ')}${refused.length > 5 ? ` and ${refused.length - 5} more` : ''}`,
      );
    return heads.length;
  }

  /**
   * The root a checkpoint may sign: the stored tree's, once shown to be the tree of the entries.
   * The stored tree is unkeyed (anyone who can write the database can recompute it), so it is
   * checked from the last signed root: that root's frontier read from the stored nodes must give
   * it, and every entry since, its chain and HMAC verified, must extend it to the stored head.
   * Work is bounded by the entries since the last checkpoint (all of them the first time).
   */
  private async verifiedRoot(tenantId: string, head: LedgerHead & { frontier: Buffer[] }): Promise<Buffer> {
    const stored = rootFromFrontier(head.frontier);
    let size = 0;
    let prev = GENESIS_HASH;
    let frontier: Buffer[] = [];
    const last = await this.ledger.latestSignedRoot(tenantId, head.sequence);
    if (last && last.rootHash && verifyCheckpointSignature(last, this.signer.publicKey)) {
      const refs = frontierNodes(last.size);
      const read = await this.ledger.treeNodes(tenantId, refs);
      const nodes = refs.map((r) => read.nodes.get(nodeKey(r)));
      if (nodes.some((n) => !n) || rootFromFrontier(nodes as Buffer[]).toString('hex') !== last.rootHash)
        throw damaged(`the nodes below checkpoint ${last.size} give another root`);
      [size, prev, frontier] = [last.size, last.headHash, nodes as Buffer[]];
    }
    while (size < head.sequence) {
      const page = await this.ledger.list(tenantId, size, Math.min(READ_CHUNK, head.sequence - size));
      if (page.length === 0) throw damaged(`entry ${size + 1} is missing`);
      for (const r of page) {
        if (r.sequence !== size + 1 || r.prevHash !== prev)
          throw damaged(`entry ${size + 1} does not follow entry ${size}`);
        // Parsed as the verifier parses it, so entries sealed by any earlier version check alike.
        const form = canonicalForm(r);
        const key = this.keyRing.get(r.keyId);
        if (sha256Hex(form) !== r.entryHash || !key || !safeEqualHex(hmacHex(key, form), r.signature))
          throw damaged(`entry ${r.sequence} is not authentic`);
        frontier = appendLeaf(frontier, size, leafHash(form)).frontier;
        prev = r.entryHash;
        size = r.sequence;
      }
      // A page is about 10-20 ms of hashing: other calls get the event loop between pages.
      await nextTurn();
    }
    if (prev !== head.headHash || !rootFromFrontier(frontier).equals(stored))
      throw damaged(`the stored tree head disagrees with entries 1..${head.sequence}`);
    return stored;
  }

  /**
   * RFC 9162 inclusion proof of entry `sequence` in the tree of `treeSize` entries (0: the
   * current size). Sizes beyond this tenant's ledger are OUT_OF_RANGE, whoever else has them.
   * One round trip for a given size (the nodes and the head are read together), two for size 0.
   */
  async inclusionProof(
    tenantId: string,
    sequence: number,
    treeSize: number,
  ): Promise<{ leafHash: Buffer; treeSize: number; proof: Buffer[] }> {
    if (!Number.isSafeInteger(sequence) || sequence < 1)
      throw invalidArgument('sequence', 'must be a ledger sequence, 1 or more');
    if (!Number.isSafeInteger(treeSize) || treeSize < 0)
      throw invalidArgument('tree_size', 'must be 0 (the current size) or more');
    const size = treeSize || (await this.ledger.head(tenantId)).sequence;
    const leaf = { level: 0, index: sequence - 1 };
    const plan = sequence <= size ? inclusionPlan(sequence - 1, size) : undefined;
    const read = await this.ledger.treeNodes(tenantId, plan ? [...plan.nodes, leaf] : []);
    if (size > read.size) throw outOfRange('tree_size', `the ledger has ${read.size} entries`);
    if (!plan) {
      if (sequence > read.size) throw notFound('LEDGER_ENTRY_NOT_FOUND', `ledger entry ${sequence} not found`);
      throw outOfRange('sequence', `entry ${sequence} is not in a tree of ${size} entries`);
    }
    const nodes = complete(read.nodes, plan.nodes.length + 1);
    return { leafHash: nodes.get(nodeKey(leaf))!, treeSize: size, proof: plan.build((n) => nodes.get(nodeKey(n))) };
  }

  /** RFC 9162 consistency proof from the tree of `fromSize` entries to that of `toSize` (0: the current size). */
  async consistencyProof(
    tenantId: string,
    fromSize: number,
    toSize: number,
  ): Promise<{ fromSize: number; toSize: number; proof: Buffer[] }> {
    if (!Number.isSafeInteger(fromSize) || fromSize < 1) throw invalidArgument('from_size', 'must be 1 or more');
    if (!Number.isSafeInteger(toSize) || toSize < 0)
      throw invalidArgument('to_size', 'must be 0 (the current size) or more');
    const size = toSize || (await this.ledger.head(tenantId)).sequence;
    const plan = fromSize <= size ? consistencyPlan(fromSize, size) : undefined;
    const read = await this.ledger.treeNodes(tenantId, plan?.nodes ?? []);
    if (size > read.size) throw outOfRange('to_size', `the ledger has ${read.size} entries`);
    if (!plan) throw outOfRange('from_size', `must not exceed to_size (${size})`);
    const nodes = complete(read.nodes, plan.nodes.length);
    return { fromSize, toSize: size, proof: plan.build((n) => nodes.get(nodeKey(n))) };
  }

  /** The ledger entry of a decision (NOT_FOUND when this tenant has none with that id). */
  async decisionEntry(tenantId: string, decisionId: string): Promise<LedgerRecord> {
    const r = await this.ledger.decisionEntry(tenantId, decisionId);
    if (!r) throw notFound('DECISION_NOT_FOUND', `decision "${decisionId.slice(0, 64)}" not found`);
    return r;
  }

  /** The signed-note verifier key of the tenant's log. */
  verifierKey(tenantId: string): string {
    return this.signer.verifierKey(tenantId);
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
