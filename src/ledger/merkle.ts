import * as crypto from 'node:crypto';

/**
 * RFC 9162 (section 2.1) Merkle tree hashing and proofs over a tenant's ledger
 * entries in sequence order. Leaf i (0-based) is entry sequence i + 1.
 *
 * Storage model: the hash of every complete, aligned subtree is kept with the
 * entry that completes it (node (level L, index j) covers leaves
 * [j·2^L, (j+1)·2^L) and is completed by entry sequence (j+1)·2^L), and the
 * head keeps the frontier (the complete subtrees the tree of its size
 * decomposes into, largest first). An append therefore hashes 1 + (number of
 * trailing one bits of the leaf index) nodes, and a proof reads O(log n) nodes.
 */

export const HASH_BYTES = 32;
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

const sha256 = (b: Buffer): Buffer => crypto.hash('sha256', b, 'buffer');

/** MTH({}): the root of the empty tree. */
export const EMPTY_ROOT: Buffer = sha256(Buffer.alloc(0));

/** SHA-256(0x00 ‖ entry). A string is hashed as its UTF-8 behind a NUL character: the same bytes, without a copy (hot path). */
export const leafHash = (entry: Buffer | string): Buffer =>
  typeof entry === 'string' ? crypto.hash('sha256', `\u0000${entry}`, 'buffer') : sha256(Buffer.concat([LEAF, entry]));

const scratch = Buffer.alloc(1 + 2 * HASH_BYTES);
scratch[0] = NODE[0];
/** SHA-256(0x01 ‖ left ‖ right), through one reused buffer (an append hashes one node on average). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES)
    throw new Error('a tree node hashes two 32-byte hashes');
  left.copy(scratch, 1);
  right.copy(scratch, 1 + HASH_BYTES);
  return sha256(scratch);
}

/** Largest power of two strictly below n (n ≥ 2): RFC 9162's split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number) => n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** Set bits of n: the number of frontier nodes of a tree of n leaves. */
export function popcount(n: number): number {
  let c = 0;
  for (let i = n; i > 0; i = half(i)) c += i % 2;
  return c;
}

/** The root of a tree given its frontier (largest subtree first). */
export function rootFromFrontier(frontier: Buffer[]): Buffer {
  if (frontier.length === 0) return EMPTY_ROOT;
  let root = frontier[frontier.length - 1];
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i], root);
  return root;
}

/**
 * Appends leaf number `size` (0-based) to a tree of `size` leaves with this
 * frontier. Returns the new frontier and the nodes the leaf completes, by
 * level: completed[0] is the leaf hash, completed[L] the node (L, size >> L).
 */
export function appendLeaf(
  frontier: Buffer[],
  size: number,
  leaf: Buffer,
): { frontier: Buffer[]; completed: Buffer[] } {
  const next = frontier.slice();
  const completed = [leaf];
  let node = leaf;
  for (let i = size; odd(i); i = half(i)) {
    node = nodeHash(next.pop()!, node);
    completed.push(node);
  }
  next.push(node);
  return { frontier: next, completed };
}

/** A complete aligned subtree: `level` and `index` as in the storage model above. */
export interface NodeRef {
  level: number;
  index: number;
}
/** The entry sequence that stores a node, and its position there. */
export const nodeHome = (n: NodeRef) => ({ sequence: (n.index + 1) * 2 ** n.level, offset: n.level });
export const nodeKey = (n: NodeRef) => `${n.level}/${n.index}`;

type Lookup = (n: NodeRef) => Buffer;

/**
 * MTH of leaves [a, b). In every range the proofs below ask for, a is a
 * multiple of a power of two no smaller than b - a, so each split half is
 * either a complete aligned subtree or again such a range.
 */
function rangeHash(a: number, b: number, get: Lookup): Buffer {
  const n = b - a;
  if (isPowerOfTwo(n)) {
    const level = Math.round(Math.log2(n));
    return get({ level, index: a / n });
  }
  const k = splitPoint(n);
  return nodeHash(rangeHash(a, a + k, get), rangeHash(a + k, b, get));
}

function path(m: number, a: number, b: number, get: Lookup): Buffer[] {
  if (b - a <= 1) return [];
  const k = splitPoint(b - a);
  return m < a + k
    ? [...path(m, a, a + k, get), rangeHash(a + k, b, get)]
    : [...path(m, a + k, b, get), rangeHash(a, a + k, get)];
}

function subproof(m: number, a: number, b: number, complete: boolean, get: Lookup): Buffer[] {
  if (m === b) return complete ? [] : [rangeHash(a, b, get)];
  const k = splitPoint(b - a);
  return m <= a + k
    ? [...subproof(m, a, a + k, complete, get), rangeHash(a + k, b, get)]
    : [...subproof(m, a + k, b, false, get), rangeHash(a, a + k, get)];
}

/**
 * A proof computed from stored nodes in two steps: `nodes` lists what to read,
 * then `build` assembles the proof from what was read.
 */
export interface ProofPlan {
  nodes: NodeRef[];
  build(get: (n: NodeRef) => Buffer | undefined): Buffer[];
}

function plan(compute: (get: Lookup) => Buffer[]): ProofPlan {
  const wanted = new Map<string, NodeRef>();
  // The shape of a proof depends on the sizes only, never on hash values: a dry run finds the nodes.
  compute((n) => {
    wanted.set(nodeKey(n), n);
    return EMPTY_ROOT;
  });
  return {
    nodes: [...wanted.values()],
    build: (get) =>
      compute((n) => {
        const h = get(n);
        if (!h) throw new Error(`tree node ${nodeKey(n)} is missing`);
        return h;
      }),
  };
}

/** RFC 9162 PATH(m, D[n]): the inclusion proof of leaf m (0-based) in the tree of size n. */
export const inclusionPlan = (m: number, n: number): ProofPlan => plan((get) => path(m, 0, n, get));

/** RFC 9162 PROOF(m, D[n]): the consistency proof from size m to size n (0 < m ≤ n). */
export const consistencyPlan = (m: number, n: number): ProofPlan =>
  plan((get) => (m === n ? [] : subproof(m, 0, n, true, get)));

/** The root of the tree of size n (n ≥ 1) from stored nodes. */
export const rootPlan = (n: number): ProofPlan => plan((get) => [rangeHash(0, n, get)]);

/** RFC 9162 section 2.1.3.2: does `proof` show leaf `index` (0-based) with `leaf` in the tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leaf: Buffer, proof: Buffer[], root: Buffer): boolean {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (p.length !== HASH_BYTES || sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 section 2.1.4.2: does `proof` show the tree of size `first` with `firstRoot` is a prefix of the one of `second` with `secondRoot`? */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Buffer,
  secondRoot: Buffer,
  proof: Buffer[],
): boolean {
  if (!(first >= 1 && first <= second)) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (proof.some((p) => p.length !== HASH_BYTES)) return false;
  const c = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
  if (c.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = c[0];
  let sr = c[0];
  for (const p of c.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(p, fr);
      sr = nodeHash(p, sr);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

/** MTH of a list of leaf hashes, computed directly (for tests and small trees). */
export function rootOf(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0];
  const k = splitPoint(leaves.length);
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
}
