/**
 * The word sets the rule patterns need (their possible first words, and the words each required
 * part of a pattern can start with), and which of them one token view draws on.
 *
 * A pattern's expression runs only when the view holds a word of every set it requires, so most
 * patterns of most texts cost one memoised lookup per word of the text rather than a regex scan.
 */
import type { WordSet } from './patterns';

/** Longest memo before it is dropped: text full of distinct words must not grow it forever. */
const MEMO_MAX = 50_000;
/** Longer words are looked up every time: few rule words come close, and memory stays bounded. */
const MEMO_WORD_MAX = 64;
const NONE: readonly number[] = [];

export class WordSetIndex {
  private readonly ids = new Map<string, number>();
  private readonly exact = new Map<string, number[]>();
  /** First three letters of a prefix (word*) → the prefixes and their sets. */
  private readonly prefixed = new Map<string, { prefix: string; id: number }[]>();
  private readonly memo = new Map<string, readonly number[]>();

  get size(): number {
    return this.ids.size;
  }

  /** The id of a set; equal sets (the same vocabulary list used by many patterns) share one. */
  intern(set: WordSet): number {
    const key = `${[...set.words].sort().join(' ')}\0${[...set.prefixes].sort().join(' ')}`;
    let id = this.ids.get(key);
    if (id !== undefined) return id;
    id = this.ids.size;
    this.ids.set(key, id);
    for (const w of set.words) push(this.exact, w, id);
    for (const prefix of set.prefixes) push(this.prefixed, prefix.slice(0, 3), { prefix, id });
    this.memo.clear();
    return id;
  }

  /** Ids of the sets that contain word, exactly or by prefix. */
  setsOf(word: string): readonly number[] {
    let ids = this.memo.get(word);
    if (ids !== undefined) return ids;
    const found = [...(this.exact.get(word) ?? NONE)];
    if (word.length >= 3)
      for (const { prefix, id } of this.prefixed.get(word.slice(0, 3)) ?? [])
        if (word.startsWith(prefix) && !found.includes(id)) found.push(id);
    ids = found.length ? found : NONE;
    if (word.length > MEMO_WORD_MAX) return ids;
    if (this.memo.size >= MEMO_MAX) this.memo.clear();
    // A copy as the key: V8 slices of 13+ characters keep their whole parent text alive.
    this.memo.set(word.length >= 13 ? word.split('').join('') : word, ids);
    return ids;
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Which sets of an index the last scanned view draws on, and where it first does. */
export class ViewWords {
  private readonly present: Uint8Array;
  private readonly first: Int32Array;
  /** Per set: its last occurrence; occurrences chain backwards through `prevOcc` (positions in `occAt`). */
  private readonly lastOcc: Int32Array;
  private occAt: number[] = [];
  private prevOcc: number[] = [];
  /** Sets present in the view, in order of first appearance. */
  readonly sets: number[] = [];

  constructor(private readonly index: WordSetIndex) {
    this.present = new Uint8Array(index.size);
    this.first = new Int32Array(index.size);
    this.lastOcc = new Int32Array(index.size);
  }

  /** Reads the words of a token view (" w1 w2 "), forgetting the previous view. */
  scan(view: string): void {
    for (const id of this.sets) this.present[id] = 0;
    this.sets.length = 0;
    this.occAt.length = 0;
    this.prevOcc.length = 0;
    let i = 1;
    while (i < view.length) {
      const end = view.indexOf(' ', i);
      if (end < 0) break;
      for (const id of this.index.setsOf(view.slice(i, end))) {
        const occ = this.occAt.push(i - 1) - 1;
        if (this.present[id]) {
          this.prevOcc.push(this.lastOcc[id]);
        } else {
          this.present[id] = 1;
          this.first[id] = i - 1;
          this.sets.push(id);
          this.prevOcc.push(-1);
        }
        this.lastOcc[id] = occ;
      }
      i = end + 1;
    }
  }

  /**
   * Offsets (of the space before the word) where a word of set id occurs, in [from, to], ascending.
   * A pattern is only ever tried where its first word is: the cost of matching stays in proportion
   * to the words of the text, not to its length times the number of patterns.
   */
  positions(id: number, from = 0, to = Infinity): number[] {
    const out: number[] = [];
    if (!this.present[id]) return out;
    for (let o = this.lastOcc[id]; o >= 0; o = this.prevOcc[o]) {
      const at = this.occAt[o];
      if (at < from) break;
      if (at <= to) out.push(at);
    }
    return out.reverse();
  }

  /** Whether the view draws on every one of the sets. */
  hasAll(ids: Int32Array): boolean {
    for (let k = 0; k < ids.length; k++) if (!this.present[ids[k]]) return false;
    return true;
  }

  /** Offset of the space before the first word of the view in set id. */
  firstAt(id: number): number {
    return this.first[id];
  }
}
