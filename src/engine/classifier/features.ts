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
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_WORD = 0x1b873593;
const SEED_BIGRAM = 0x5bd1e995;
const SEED_CHAR = 0x27d4eb2f;

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

  constructor(readonly spec: FeatureSpec) {
    if (!(spec.buckets >= 16 && (spec.buckets & (spec.buckets - 1)) === 0)) throw new Error('buckets must be a power of two >= 16');
    this.acc = new Float32Array(spec.buckets);
    this.touched = new Int32Array(spec.buckets);
    this.mask = spec.buckets - 1;
  }

  private add(h: number) {
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
    const len = view.length;
    let i = 0;
    while (i < len) {
      while (i < len && view.charCodeAt(i) === 32) i++;
      if (i >= len) break;
      const start = i;
      while (i < len && view.charCodeAt(i) !== 32) i++;
      const end = i; // word = view[start, end)
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
    this.collect(view);
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
