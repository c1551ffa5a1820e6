/**
 * Hashed features of a token view for the learned injection model: word unigrams and bigrams
 * plus character n-grams inside each word ("<word>" padded), each hashed (FNV-1a, signed) into a
 * fixed number of buckets. The training script and the classifier use this one function, so the
 * model sees at inference exactly the features it was trained on.
 */

export interface FeatureSpec {
  /** Number of hash buckets, a power of two. */
  buckets: number;
  /** 1: words only; 2: words and word bigrams; 0: no word features. */
  wordNgrams: 0 | 1 | 2;
  /** Character n-gram lengths inside words (0 and 0 to disable). */
  charMin: number;
  charMax: number;
  /**
   * Vocabulary concepts (concepts.ts): each word's concepts and the pairs of concepts of nearby
   * words. The sha256 names the vocabulary the weights were trained with.
   */
  concepts?: { sha256: string; window: number };
}

import type { ConceptIndex } from './concepts';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_WORD = 0x1b873593;
const SEED_BIGRAM = 0x5bd1e995;
const SEED_CHAR = 0x27d4eb2f;
const SEED_CONCEPT = 0x165667b1;
const SEED_PAIR = 0x9e3779b1;
const SEED_SIGNAL = 0x7feb352d;

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Sparse vector: parallel arrays of bucket indices and signed values, L2-normalised. */
export interface Sparse {
  idx: Int32Array;
  val: Float32Array;
}

/** Reusable accumulator so scoring does not allocate per feature. */
export class FeatureBuilder {
  private readonly acc: Float32Array;
  private readonly touched: Int32Array;
  private n = 0;
  private readonly mask: number;

  constructor(
    readonly spec: FeatureSpec,
    private readonly concepts?: ConceptIndex,
  ) {
    if (spec.concepts && !concepts) throw new Error('the feature spec needs the vocabulary concepts');
    if (spec.concepts && concepts && spec.concepts.sha256 !== concepts.sha256) {
      throw new Error('the model was trained with another vocabulary (threats.yaml vocab changed): run npm run train');
    }
    if (!(spec.buckets >= 16 && (spec.buckets & (spec.buckets - 1)) === 0))
      throw new Error('buckets must be a power of two >= 16');
    this.acc = new Float32Array(spec.buckets);
    this.touched = new Int32Array(spec.buckets);
    this.mask = spec.buckets - 1;
  }

  /** Set while collecting a message of a role other than user: every feature also gets a tagged copy. */
  private salt = 0;

  private add(h: number) {
    this.put(h);
    if (this.salt !== 0) this.put(h ^ this.salt);
  }

  private put(h: number) {
    const m = mix(h);
    const b = m & this.mask;
    const sign = m & 0x80000000 ? -1 : 1;
    if (this.acc[b] === 0) this.touched[this.n++] = b;
    this.acc[b] += sign;
    if (this.acc[b] === 0) this.acc[b] = 1e-9; // keep it marked as touched
  }

  /** Hashes the features of a token view (" w1 w2 ") into the accumulator. */
  private collect(view: string) {
    const { wordNgrams, charMin, charMax } = this.spec;
    let prevWord = 0;
    let havePrev = false;
    const concepts = this.spec.concepts ? this.concepts : undefined;
    const window = this.spec.concepts?.window ?? 0;
    let wordNo = 0;
    let lastConcepts: readonly number[] | undefined;
    let lastConceptAt = -1e9;
    const len = view.length;
    let i = 0;
    while (i < len) {
      while (i < len && view.charCodeAt(i) === 32) i++;
      if (i >= len) break;
      const start = i;
      while (i < len && view.charCodeAt(i) !== 32) i++;
      const end = i; // word = view[start, end)
      wordNo++;
      if (concepts) {
        const cs = concepts.of(view.slice(start, end));
        if (cs) {
          for (const c of cs) {
            this.add(Math.imul(SEED_CONCEPT ^ (c + 1), FNV_PRIME));
            if (lastConcepts && wordNo - lastConceptAt <= window) {
              for (const a of lastConcepts)
                this.add(Math.imul(Math.imul(SEED_PAIR ^ (a + 1), FNV_PRIME) ^ (c + 1), FNV_PRIME));
            }
          }
          lastConcepts = cs;
          lastConceptAt = wordNo;
        }
      }
      if (wordNgrams > 0) {
        let h = FNV_OFFSET ^ SEED_WORD;
        for (let j = start; j < end; j++) h = Math.imul(h ^ view.charCodeAt(j), FNV_PRIME);
        this.add(h);
        if (wordNgrams > 1 && havePrev) this.add(Math.imul(prevWord ^ SEED_BIGRAM, FNV_PRIME) ^ h);
        prevWord = h;
        havePrev = true;
      }
      if (charMax > 0) {
        // characters of "<word>": position -1 is '<', position end is '>'
        for (let s = start - 1; s <= end; s++) {
          let h = FNV_OFFSET ^ SEED_CHAR;
          for (let k = 0; k < charMax; k++) {
            const p = s + k;
            if (p > end) break;
            const c = p === start - 1 ? 60 : p === end ? 62 : view.charCodeAt(p);
            h = Math.imul(h ^ c, FNV_PRIME);
            if (k + 1 >= charMin) this.add(h ^ (k + 1));
            if (p === end) break;
          }
        }
      }
    }
  }

  /** Dot product of the L2-normalised features of view with weights (same bucket count). */
  dot(view: string, weights: Float32Array): number {
    this.collect(view);
    let norm = 0;
    let dot = 0;
    for (let t = 0; t < this.n; t++) {
      const b = this.touched[t];
      const v = this.value(this.acc[b]);
      norm += v * v;
      dot += v * weights[b];
      this.acc[b] = 0;
    }
    this.n = 0;
    return norm > 0 ? dot / Math.sqrt(norm) : 0;
  }

  /** The sparse L2-normalised vector of view (for training). */
  vector(view: string): Sparse {
    return this.vectorOf([view], 0);
  }

  /**
   * The features of several views of one text together, plus named signals (the rules that fired
   * on it); salt != 0 adds a tagged copy of each.
   */
  vectorOf(views: string[], salt: number, signals: readonly string[] = []): Sparse {
    this.salt = salt;
    for (const v of views) this.collect(v);
    for (const name of signals) {
      let h = FNV_OFFSET ^ SEED_SIGNAL;
      for (let j = 0; j < name.length; j++) h = Math.imul(h ^ name.charCodeAt(j), FNV_PRIME);
      this.add(h);
    }
    this.salt = 0;
    const idx = new Int32Array(this.n);
    const val = new Float32Array(this.n);
    let norm = 0;
    for (let t = 0; t < this.n; t++) {
      const b = this.touched[t];
      idx[t] = b;
      val[t] = this.value(this.acc[b]);
      norm += val[t] * val[t];
      this.acc[b] = 0;
    }
    this.n = 0;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let t = 0; t < val.length; t++) val[t] *= inv;
    return { idx, val };
  }

  /** Sub-linear term frequency keeping the sign of the hashed feature. */
  private value(x: number): number {
    if (Math.abs(x) < 1e-6) return 0;
    return x > 0 ? 1 + Math.log(x) : -(1 + Math.log(-x));
  }
}
