/**
 * The learned injection model: logistic regression over hashed features (features.ts), written by
 * scripts/train-injection-model.ts to config/models/injection.json. Weights are stored as
 * little-endian int16 (weight = int16 * scale), base64-encoded.
 */
import { FeatureBuilder, FeatureSpec } from './features';

export interface ModelFile {
  format: 'btv-hashed-logreg/1';
  features: FeatureSpec;
  bias: number;
  scale: number;
  /** Probability at or above which a text is flagged (chosen by cross-validation on the train split). */
  threshold: number;
  weights: string;
  training?: Record<string, unknown>;
}

export class HashedLogReg {
  private readonly builder: FeatureBuilder;

  constructor(
    readonly spec: FeatureSpec,
    readonly weights: Float32Array,
    readonly bias: number,
    readonly threshold: number,
  ) {
    if (weights.length !== spec.buckets) throw new Error(`weights has ${weights.length} entries, expected ${spec.buckets}`);
    this.builder = new FeatureBuilder(spec);
  }

  /** Probability that the token view is an injection. */
  score(view: string): number {
    const z = this.bias + this.builder.dot(view, this.weights);
    return 1 / (1 + Math.exp(-z));
  }

  static fromJSON(doc: unknown, where: string): HashedLogReg {
    const fail = (field: string, msg: string): never => {
      throw new Error(`${where}: ${field}: ${msg}`);
    };
    if (typeof doc !== 'object' || doc === null) return fail('(top level)', 'must be an object');
    const m = doc as Partial<ModelFile>;
    if (m.format !== 'btv-hashed-logreg/1') fail('format', 'must be "btv-hashed-logreg/1"');
    const f = m.features;
    if (typeof f !== 'object' || f === null) return fail('features', 'must be an object');
    if (!Number.isInteger(f.buckets) || f.buckets < 16 || (f.buckets & (f.buckets - 1)) !== 0) fail('features.buckets', 'must be a power of two >= 16');
    if (![0, 1, 2].includes(f.wordNgrams)) fail('features.wordNgrams', 'must be 0, 1 or 2');
    if (!Number.isInteger(f.charMin) || !Number.isInteger(f.charMax) || f.charMin < 0 || f.charMax > 8 || f.charMin > f.charMax) {
      fail('features.charMin/charMax', 'must be integers with 0 <= charMin <= charMax <= 8');
    }
    for (const k of ['bias', 'scale', 'threshold'] as const) {
      if (typeof m[k] !== 'number' || !Number.isFinite(m[k])) fail(k, 'must be a finite number');
    }
    if ((m.threshold as number) <= 0 || (m.threshold as number) >= 1) fail('threshold', 'must be between 0 and 1');
    if (typeof m.weights !== 'string') return fail('weights', 'must be a base64 string');
    const bytes = Buffer.from(m.weights, 'base64');
    if (bytes.length !== f.buckets * 2) fail('weights', `must hold ${f.buckets} int16 values, found ${bytes.length / 2}`);
    const w = new Float32Array(f.buckets);
    for (let i = 0; i < f.buckets; i++) w[i] = bytes.readInt16LE(i * 2) * (m.scale as number);
    return new HashedLogReg(f as FeatureSpec, w, m.bias as number, m.threshold as number);
  }

  /** Serialises weights (quantised to int16) with the given metadata. */
  static toJSON(spec: FeatureSpec, weights: Float64Array | Float32Array, bias: number, threshold: number, training: Record<string, unknown>): ModelFile {
    let max = 0;
    for (const x of weights) max = Math.max(max, Math.abs(x));
    const scale = max > 0 ? max / 32767 : 1;
    const buf = Buffer.alloc(weights.length * 2);
    for (let i = 0; i < weights.length; i++) buf.writeInt16LE(Math.round(weights[i] / scale), i * 2);
    return { format: 'btv-hashed-logreg/1', features: spec, bias, scale, threshold, weights: buf.toString('base64'), training };
  }
}
