/**
 * The learned threat model (config/models/threat.json, written by `npm run train`): a detector that
 * says whether a message asks for something that must not run (any kind of threat: injection,
 * privacy, discrimination, prohibited practices, misuse, fabrication ...) and a namer that says
 * which sub-threat it is. Both are linear models over the hashed features of features.ts, computed
 * once per message; messages from other roles than the user also get role-tagged copies of every
 * feature, so the same words can weigh differently in a system prompt or a retrieved document.
 *
 * Weights are quantised (detector int16, namer int8) and base64-encoded.
 */
import type { ConceptIndex } from './concepts';
import type { FeatureSpec, Sparse } from './features';
import { FeatureBuilder } from './features';

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool' | 'context';
export const MESSAGE_ROLES: readonly MessageRole[] = ['system', 'user', 'assistant', 'tool', 'context'];

export const THREAT_MODEL_FORMAT = 'btv-threat-model/1';

export interface ThreatModelFile {
  format: typeof THREAT_MODEL_FORMAT;
  features: FeatureSpec;
  /** Sub-threat names, in the order of the namer's rows. */
  classes: string[];
  detector: { bias: number; scale: number; weights: string };
  namer: { buckets: number; scale: number; biases: number[]; weights: string };
  /**
   * Detector probabilities: at or above `uncertain` the model's own finding is uncertain, at or
   * above `confident` confident; a word rule's finding stands only where the detector gives the
   * message at least `rule` (on prompts written apart from this team most word rules were wrong
   * more often than right on their own, and the model vetoes the legitimate ones).
   */
  thresholds: Thresholds;
  training?: Record<string, unknown>;
}

export interface Thresholds {
  rule: number;
  uncertain: number;
  confident: number;
}

export interface ThreatScore {
  /** Probability that the message asks for something that must not run. */
  p: number;
  /** The most likely sub-threat, and the namer's probability for it. */
  subThreat: string;
  subThreatP: number;
}

/** Role salts: a role-tagged copy of a feature hashes elsewhere. */
const ROLE_SALT: Record<MessageRole, number> = {
  user: 0,
  system: 0x2c1b3c6d,
  assistant: 0x297a2d39,
  tool: 0x6b2f3a5c,
  context: 0x7f4a7c15,
};

/**
 * Features of one message: its words, their concepts, the rules of threats.yaml that fired on it
 * (the model learns what each rule's hit is worth, in context), plus role-tagged copies of all of
 * them for roles other than user.
 */
export function messageFeatures(
  builder: FeatureBuilder,
  views: string[],
  role: MessageRole,
  rules: readonly string[],
): Sparse {
  return builder.vectorOf(
    views,
    ROLE_SALT[role],
    rules.map((r) => `rule:${r}`),
  );
}

export class ThreatModel {
  private readonly builder: FeatureBuilder;

  constructor(
    readonly spec: FeatureSpec,
    readonly classes: string[],
    private readonly detector: { bias: number; weights: Float32Array },
    private readonly namer: { buckets: number; biases: Float32Array; weights: Float32Array },
    readonly thresholds: Thresholds,
    concepts?: ConceptIndex,
  ) {
    this.builder = new FeatureBuilder(spec, concepts);
  }

  /** Scores one message from its token views (the main view, and the deobfuscated one if any). */
  score(views: string[], role: MessageRole, rules: readonly string[] = []): ThreatScore {
    const x = messageFeatures(this.builder, views, role, rules);
    return this.scoreVector(x);
  }

  scoreVector(x: Sparse): ThreatScore {
    const w = this.detector.weights;
    let z = this.detector.bias;
    for (let i = 0; i < x.idx.length; i++) z += x.val[i] * w[x.idx[i]];
    const p = 1 / (1 + Math.exp(-z));
    // Naming costs a pass per sub-threat: only for a message the detector does not clear.
    if (p < this.thresholds.rule) return { p, subThreat: '', subThreatP: 0 };
    return { p, ...this.name(x) };
  }

  /** The most likely sub-threat of a message's features, and its probability. */
  name(x: Sparse): { subThreat: string; subThreatP: number } {
    const { buckets, biases, weights } = this.namer;
    const k = this.classes.length;
    const mask = buckets - 1;
    let best = 0;
    let bestZ = -Infinity;
    let sum = 0;
    const zs = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let zc = biases[c];
      const row = c * buckets;
      for (let i = 0; i < x.idx.length; i++) zc += x.val[i] * weights[row + (x.idx[i] & mask)];
      zs[c] = zc;
      if (zc > bestZ) {
        bestZ = zc;
        best = c;
      }
    }
    for (let c = 0; c < k; c++) sum += Math.exp(zs[c] - bestZ);
    return { subThreat: this.classes[best], subThreatP: 1 / sum };
  }

  static fromJSON(
    doc: unknown,
    where: string,
    knownSubThreats: ReadonlySet<string>,
    concepts?: ConceptIndex,
  ): ThreatModel {
    const fail = (field: string, msg: string): never => {
      throw new Error(`${where}: ${field}: ${msg}`);
    };
    if (typeof doc !== 'object' || doc === null) return fail('(top level)', 'must be an object');
    const m = doc as Partial<ThreatModelFile>;
    if (m.format !== THREAT_MODEL_FORMAT) fail('format', `must be "${THREAT_MODEL_FORMAT}"`);
    const f = m.features;
    if (typeof f !== 'object' || f === null) return fail('features', 'must be an object');
    if (!Number.isInteger(f.buckets) || f.buckets < 16 || (f.buckets & (f.buckets - 1)) !== 0)
      fail('features.buckets', 'must be a power of two >= 16');
    if (![0, 1, 2].includes(f.wordNgrams)) fail('features.wordNgrams', 'must be 0, 1 or 2');
    if (
      !Number.isInteger(f.charMin) ||
      !Number.isInteger(f.charMax) ||
      f.charMin < 0 ||
      f.charMax > 8 ||
      f.charMin > f.charMax
    ) {
      fail('features.charMin/charMax', 'must be integers with 0 <= charMin <= charMax <= 8');
    }
    if (!Array.isArray(m.classes) || m.classes.length === 0)
      return fail('classes', 'must be a non-empty list of sub-threats');
    m.classes.forEach(
      (c, i) => knownSubThreats.has(c) || fail(`classes[${i}]`, `"${c}" is not a sub-threat of threats.yaml`),
    );
    const t = m.thresholds;
    if (!t || !(t.rule > 0 && t.rule <= t.uncertain && t.uncertain <= t.confident && t.confident < 1))
      fail('thresholds', 'needs 0 < rule <= uncertain <= confident < 1');
    const d = m.detector;
    if (!d || typeof d.weights !== 'string' || !Number.isFinite(d.bias) || !Number.isFinite(d.scale))
      return fail('detector', 'needs bias, scale and weights');
    const dBytes = Buffer.from(d.weights, 'base64');
    if (dBytes.length !== f.buckets * 2) fail('detector.weights', `must hold ${f.buckets} int16 values`);
    const dw = new Float32Array(f.buckets);
    for (let i = 0; i < f.buckets; i++) dw[i] = dBytes.readInt16LE(i * 2) * d.scale;
    const n = m.namer;
    if (
      !n ||
      typeof n.weights !== 'string' ||
      !Number.isInteger(n.buckets) ||
      (n.buckets & (n.buckets - 1)) !== 0 ||
      n.buckets > f.buckets
    ) {
      return fail('namer', 'needs buckets (a power of two, at most features.buckets), scale, biases and weights');
    }
    if (!Array.isArray(n.biases) || n.biases.length !== m.classes.length)
      fail('namer.biases', 'must have one bias per class');
    const nBytes = Buffer.from(n.weights, 'base64');
    if (nBytes.length !== n.buckets * m.classes.length)
      fail('namer.weights', `must hold ${n.buckets * m.classes.length} int8 values`);
    const nw = new Float32Array(nBytes.length);
    for (let i = 0; i < nBytes.length; i++) nw[i] = nBytes.readInt8(i) * n.scale;
    try {
      return new ThreatModel(
        f,
        m.classes,
        { bias: d.bias, weights: dw },
        { buckets: n.buckets, biases: Float32Array.from(n.biases), weights: nw },
        { rule: t!.rule, uncertain: t!.uncertain, confident: t!.confident },
        concepts,
      );
    } catch (e) {
      return fail('features', (e as Error).message);
    }
  }

  /** Serialises trained weights (quantised) with the thresholds and the training record. */
  static toJSON(
    spec: FeatureSpec,
    classes: string[],
    detector: { bias: number; weights: Float64Array },
    namer: { buckets: number; biases: Float64Array; weights: Float64Array },
    thresholds: Thresholds,
    training: Record<string, unknown>,
  ): ThreatModelFile {
    const maxAbs = (a: Float64Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0) || 1;
    const dScale = maxAbs(detector.weights) / 32767;
    const dBuf = Buffer.alloc(detector.weights.length * 2);
    detector.weights.forEach((x, i) => dBuf.writeInt16LE(Math.round(x / dScale), i * 2));
    const nScale = maxAbs(namer.weights) / 127;
    const nBuf = Buffer.alloc(namer.weights.length);
    namer.weights.forEach((x, i) => nBuf.writeInt8(Math.round(x / nScale), i));
    const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
    return {
      format: THREAT_MODEL_FORMAT,
      features: spec,
      classes,
      detector: { bias: r6(detector.bias), scale: dScale, weights: dBuf.toString('base64') },
      namer: {
        buckets: namer.buckets,
        scale: nScale,
        biases: [...namer.biases].map(r6),
        weights: nBuf.toString('base64'),
      },
      thresholds,
      training,
    };
  }
}
