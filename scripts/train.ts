/**
 * Trains the learned threat model (`npm run train`): config/models/threat.json.
 *
 * Input: the corpus we wrote (data/corpus/train/*.jsonl) and the shared prompt-injection TRAIN
 * split. Never the frozen test split (data/corpus/test) nor the shared test split or sector
 * simulations: those are for `npm run eval` only.
 *
 * Per message, not per row: a row's label is about the whole request, and the message that carries
 * the attack is chosen by scripts/corpus.ts attackMessages (the context of an indirect injection,
 * the system prompt that orders the harm, else the last user message); every other message of the
 * row is a legitimate example of its role. Features: hashed word uni/bigrams and in-word character
 * 3-5-grams of the classifier's normalised views (main and deobfuscated), with role-tagged copies
 * for roles other than user (src/engine/classifier/threat-model.ts).
 *
 * Models: a detector (logistic regression, classes balanced) and a namer (softmax over the
 * sub-threats, on attack messages), fitted by AdaGrad over a seeded shuffle: the same data give
 * the same file. Thresholds come from 5-fold cross-validation on the rows (folds by row id):
 * `uncertain` where the out-of-fold false-positive rate of rows is TARGET_FPR_UNCERTAIN,
 * `confident` where it is TARGET_FPR_CONFIDENT.
 *
 *   npm run train                      # writes config/models/threat.json and prints the CV figures
 *   npm run train -- --out /tmp/m.json
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadThreatConfig } from '../src/engine/classifier/config';
import type { ConceptIndex } from '../src/engine/classifier/concepts';
import { buildConcepts } from '../src/engine/classifier/concepts';
import type { FeatureSpec, Sparse } from '../src/engine/classifier/features';
import { FeatureBuilder } from '../src/engine/classifier/features';
import { normalize } from '../src/engine/classifier/normalize';
import { loadClassifier } from '../src/engine/classifier';
import type { MessageRole, Thresholds } from '../src/engine/classifier/threat-model';
import { messageFeatures, ThreatModel } from '../src/engine/classifier/threat-model';
import type { CorpusRow } from './corpus';
import { attackMessages, loadCorpus, loadSharedInjections, ROOT } from './corpus';

const outArg = process.argv.indexOf('--out');
const OUT = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(ROOT, 'config', 'models', 'threat.json');

const envNum = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const SPEC_BASE: FeatureSpec = {
  buckets: 1 << envNum('BTV_TRAIN_BITS', 17),
  wordNgrams: 2,
  charMin: envNum('BTV_TRAIN_CHARMIN', 3),
  charMax: envNum('BTV_TRAIN_CHARMAX', 5),
};
let SPEC: FeatureSpec = SPEC_BASE;
const NAMER_BUCKETS = 1 << 13;
const FOLDS = 5;
const EPOCHS = envNum('BTV_TRAIN_EPOCHS', 3);
const LR = envNum('BTV_TRAIN_LR', 0.2);
const L2 = envNum('BTV_TRAIN_L2', 1e-5);
const TARGET_FPR_UNCERTAIN = envNum('BTV_TRAIN_FPR_UNCERTAIN', 0.03);
const TARGET_FPR_CONFIDENT = 0.01;
/** The model's uncertain findings and the word rules it agrees with, together. */
const TARGET_FPR_TOTAL = envNum('BTV_TRAIN_FPR_TOTAL', 0.045);
/** A developer's own instructions: these sub-threats in a system message are not findings. */
export const INSTRUCTION_FAMILY = new Set([
  'prompt_injection',
  'jailbreak',
  'system_prompt_exfiltration',
  'output_hijack',
]);

interface Instance {
  row: number;
  role: MessageRole;
  /** Whether a word rule (not an exact one) fired on the message: its finding needs the model to agree. */
  wordRule: boolean;
  x: Sparse;
  y: 0 | 1;
  subThreat: string;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  const r = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function trainDetector(data: Instance[], buckets: number): { bias: number; weights: Float64Array } {
  const w = new Float64Array(buckets);
  const g2 = new Float64Array(buckets).fill(1e-8);
  let b = 0;
  let gb2 = 1e-8;
  const pos = data.filter((d) => d.y === 1).length;
  const wPos = data.length / (2 * Math.max(1, pos));
  const wNeg = data.length / (2 * Math.max(1, data.length - pos));
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (const d of shuffled(data, 1000 + epoch)) {
      let z = b;
      for (let k = 0; k < d.x.idx.length; k++) z += w[d.x.idx[k]] * d.x.val[k];
      const p = 1 / (1 + Math.exp(-z));
      const err = (p - d.y) * (d.y === 1 ? wPos : wNeg);
      for (let k = 0; k < d.x.idx.length; k++) {
        const i = d.x.idx[k];
        const grad = err * d.x.val[k] + L2 * w[i];
        g2[i] += grad * grad;
        w[i] -= (LR * grad) / Math.sqrt(g2[i]);
      }
      gb2 += err * err;
      b -= (LR * err) / Math.sqrt(gb2);
    }
  }
  return { bias: b, weights: w };
}

function trainNamer(data: Instance[], classes: string[]): { biases: Float64Array; weights: Float64Array } {
  const k = classes.length;
  const index = new Map(classes.map((c, i) => [c, i]));
  const w = new Float64Array(k * NAMER_BUCKETS);
  const g2 = new Float64Array(k * NAMER_BUCKETS).fill(1e-8);
  const b = new Float64Array(k);
  const gb2 = new Float64Array(k).fill(1e-8);
  const mask = NAMER_BUCKETS - 1;
  const z = new Float64Array(k);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (const d of shuffled(data, 2000 + epoch)) {
      const target = index.get(d.subThreat)!;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let s = b[c];
        const row = c * NAMER_BUCKETS;
        for (let j = 0; j < d.x.idx.length; j++) s += w[row + (d.x.idx[j] & mask)] * d.x.val[j];
        z[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += z[c] = Math.exp(z[c] - max);
      for (let c = 0; c < k; c++) {
        const err = z[c] / sum - (c === target ? 1 : 0);
        if (Math.abs(err) < 1e-4) continue;
        const row = c * NAMER_BUCKETS;
        for (let j = 0; j < d.x.idx.length; j++) {
          const i = row + (d.x.idx[j] & mask);
          const grad = err * d.x.val[j] + L2 * w[i];
          g2[i] += grad * grad;
          w[i] -= (LR * grad) / Math.sqrt(g2[i]);
        }
        gb2[c] += err * err;
        b[c] -= (LR * err) / Math.sqrt(gb2[c]);
      }
    }
  }
  return { biases: b, weights: w };
}

let CONCEPTS: ConceptIndex | undefined;

function model(
  detector: { bias: number; weights: Float64Array },
  namer: { biases: Float64Array; weights: Float64Array },
  classes: string[],
  // A tiny rule threshold: the cross-validation names every message.
  thresholds: Thresholds = { rule: 0.001, uncertain: 0.5, confident: 0.9 },
): ThreatModel {
  return new ThreatModel(
    SPEC,
    classes,
    { bias: detector.bias, weights: Float32Array.from(detector.weights) },
    { buckets: NAMER_BUCKETS, biases: Float32Array.from(namer.biases), weights: Float32Array.from(namer.weights) },
    thresholds,
    CONCEPTS,
  );
}

/** How often each rule fired on attack rows and on legitimate ones (row-level), for the training record. */
function ruleStats(fired: Set<string>[], rows: CorpusRow[]): Record<string, { tp: number; fp: number }> {
  const stats: Record<string, { tp: number; fp: number }> = {};
  fired.forEach((ids, i) => {
    for (const id of ids) {
      stats[id] ??= { tp: 0, fp: 0 };
      if (rows[i].attack) stats[id].tp++;
      else stats[id].fp++;
    }
  });
  return Object.fromEntries(Object.entries(stats).sort(([a], [b]) => a.localeCompare(b)));
}

/** The rules (by id) each row sets off, with no model. */
function firedRules(rows: CorpusRow[]): Set<string>[] {
  const c = loadClassifier(path.join(ROOT, 'config'), { rulesOnly: true });
  return rows.map(
    (r) =>
      new Set(
        c
          .classifyMessages(r.messages)
          .findings.map((f) => f.pattern.replace(/^indirect:/, '').replace(/\.(?:[a-z]{2}|common)$/, '')),
      ),
  );
}

/**
 * A row's scores: its highest message score (system messages counting only outside the instruction
 * family), and its highest score among messages a word rule fired on.
 */
function rowScore(m: ThreatModel, instances: Instance[]): { p: number; pRule: number } {
  let p = 0;
  let pRule = 0;
  for (const inst of instances) {
    const s = m.scoreVector(inst.x);
    if (inst.wordRule) pRule = Math.max(pRule, s.p);
    if (inst.role === 'system' && INSTRUCTION_FAMILY.has(s.subThreat)) continue;
    p = Math.max(p, s.p);
  }
  return { p, pRule };
}

/** The lowest threshold (on a 0.005 grid) whose false-positive rate over the rows is <= target. */
function thresholdFor(scores: { p: number; attack: boolean }[], target: number): number {
  const neg = scores.filter((s) => !s.attack).length;
  for (let t = 0.05; t < 0.995; t += 0.005) {
    const fp = scores.filter((s) => !s.attack && s.p >= t).length;
    if (fp / neg <= target) return Math.round(t * 1000) / 1000;
  }
  return 0.995;
}

function recallAt(scores: { p: number; attack: boolean }[], t: number): { recall: number; fpr: number } {
  const pos = scores.filter((s) => s.attack);
  const neg = scores.filter((s) => !s.attack);
  return {
    recall: pos.filter((s) => s.p >= t).length / pos.length,
    fpr: neg.filter((s) => s.p >= t).length / neg.length,
  };
}

function foldOf(id: string): number {
  return createHash('sha256').update(id).digest()[0] % FOLDS;
}

export interface Prepared {
  rows: CorpusRow[];
  fired: Set<string>[];
  exact: Set<string>;
  instances: Instance[];
  byRow: Instance[][];
  classes: string[];
  spec: FeatureSpec;
  concepts: ConceptIndex;
}

/** The training rows as per-message feature vectors. */
export function prepare(): Prepared {
  const cfg = loadThreatConfig(path.join(ROOT, 'config', 'threats.yaml'));
  const lexicon = {
    has: (w: string) => cfg.lexicon.has(w),
    maxLength: Math.max(...[...cfg.lexicon].map((w) => w.length)),
  };
  const allRows: CorpusRow[] = [...loadCorpus('train'), ...loadSharedInjections('train')];
  // Learning-curve experiments only: keep a fraction of the rows (by id hash).
  const keep = envNum('BTV_TRAIN_FRACTION', 1);
  const rows =
    keep >= 1
      ? allRows
      : allRows.filter(
          (r) =>
            createHash('sha256')
              .update('keep' + r.id)
              .digest()[1] /
              256 <
            keep,
        );
  const unknown = rows.find((r) => r.attack && !cfg.subThreats.has(r.subThreat));
  if (unknown) throw new Error(`row ${unknown.id}: sub-threat "${unknown.subThreat}" is not in threats.yaml`);
  const concepts = (CONCEPTS = buildConcepts(cfg.vocab));
  const window = envNum('BTV_TRAIN_CONCEPT_WINDOW', 4);
  if (window > 0) SPEC = { ...SPEC_BASE, concepts: { sha256: concepts.sha256, window } };
  const builder = new FeatureBuilder(SPEC, concepts);
  const ruleEngine = loadClassifier(path.join(ROOT, 'config'), { rulesOnly: true });
  const instances: Instance[] = [];
  const byRow: Instance[][] = rows.map(() => []);
  rows.forEach((row, r) => {
    const hot = new Set(attackMessages(row));
    row.messages.forEach((msg, i) => {
      const v = normalize(msg.content, lexicon);
      const views = v.deobf ? [v.main, v.deobf] : [v.main];
      const rules = ruleEngine.firedRules(msg.content);
      const exactRules = new Set(cfg.rules.filter((x) => x.kind === 'regex').map((x) => x.id));
      const wordRule = rules.some(
        (id) =>
          !exactRules.has(id) &&
          !(msg.role === 'system' && cfg.trustedInSystem.has(cfg.rules.find((x) => x.id === id)!.subThreat.name)),
      );
      const inst: Instance = {
        row: r,
        role: msg.role,
        wordRule,
        x: messageFeatures(builder, views, msg.role, rules),
        y: hot.has(i) ? 1 : 0,
        subThreat: hot.has(i) ? row.subThreat : '',
      };
      instances.push(inst);
      byRow[r].push(inst);
    });
  });
  const classes = [...new Set(instances.filter((i) => i.y === 1).map((i) => i.subThreat))].sort();
  const exact = new Set(cfg.rules.filter((r) => r.kind === 'regex').map((r) => r.id));
  return { rows, fired: firedRules(rows), exact, instances, byRow, classes, spec: SPEC, concepts };
}

/** Fold f's model: trained on every row outside fold f (FOLDS folds by row id), with the given thresholds. */
export function foldModel(p: Prepared, f: number, thresholds?: Thresholds): ThreatModel {
  const trainSet = p.instances.filter((i) => foldOf(p.rows[i.row].id) !== f);
  return model(
    trainDetector(trainSet, p.spec.buckets),
    trainNamer(
      trainSet.filter((i) => i.y === 1),
      p.classes,
    ),
    p.classes,
    thresholds,
  );
}

export { FOLDS, foldOf };

export function main(): void {
  const prepared = prepare();
  const { rows, instances, byRow, classes } = prepared;
  const started = Date.now();

  // Out-of-fold row scores.
  const oof: { p: number; pRule: number; attack: boolean; row: CorpusRow }[] = [];
  for (let f = 0; f < FOLDS; f++) {
    const m = foldModel(prepared, f);
    rows.forEach((row, r) => {
      if (foldOf(row.id) === f) oof.push({ ...rowScore(m, byRow[r]), attack: row.attack, row });
    });
    process.stderr.write(`fold ${f + 1}/${FOLDS} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  const auc = (() => {
    const pos = oof.filter((o) => o.attack).map((o) => o.p);
    const neg = oof
      .filter((o) => !o.attack)
      .map((o) => o.p)
      .sort((a, b) => a - b);
    let sum = 0;
    for (const p of pos) {
      let lo = 0;
      let hi = neg.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (neg[mid] < p) lo = mid + 1;
        else hi = mid;
      }
      sum += lo;
    }
    return sum / (pos.length * neg.length);
  })();
  process.stderr.write(`out-of-fold AUC ${auc.toFixed(4)}\n`);
  if (process.env.BTV_TRAIN_DUMP_OOF)
    fs.writeFileSync(
      process.env.BTV_TRAIN_DUMP_OOF,
      oof
        .map((o) =>
          JSON.stringify({
            id: o.row.id,
            p: Math.round(o.p * 1000) / 1000,
            attack: o.attack,
            kind: o.row.kind,
            cat: o.row.category,
            st: o.row.subThreat,
            lang: o.row.language,
            src: o.row.source,
            text: o.row.messages
              .map((m) => `[${m.role}] ${m.content}`)
              .join(' ')
              .slice(0, 160),
          }),
        )
        .join('\n') + '\n',
    );
  if (process.env.BTV_TRAIN_CV_ONLY) {
    for (const t of [0.01, 0.03, 0.05]) {
      const th = thresholdFor(oof, t);
      process.stdout.write(
        `FPR target ${t}: threshold ${th}, recall ${(recallAt(oof, th).recall * 100).toFixed(1)}%\n`,
      );
    }
    return;
  }
  const uncertain = thresholdFor(oof, TARGET_FPR_UNCERTAIN);
  const confident = Math.max(uncertain, thresholdFor(oof, TARGET_FPR_CONFIDENT));
  // Word rules then add their findings where the model agrees at least this much, up to the total FPR.
  const combined = (t: number) => oof.map((o) => ({ attack: o.attack, p: o.p >= uncertain || o.pRule >= t ? 1 : 0 }));
  let rule = uncertain;
  for (let t = uncertain; t >= 0.05; t -= 0.005) {
    if (recallAt(combined(t), 1).fpr > TARGET_FPR_TOTAL) break;
    rule = Math.round(t * 1000) / 1000;
  }
  const cv = {
    uncertain: recallAt(oof, uncertain),
    confident: recallAt(oof, confident),
    withRules: recallAt(combined(rule), 1),
  };

  const detector = trainDetector(instances, SPEC.buckets);
  const namer = trainNamer(
    instances.filter((i) => i.y === 1),
    classes,
  );
  const dataHash = createHash('sha256');
  for (const row of rows) dataHash.update(JSON.stringify(row)).update('\n');
  const file = ThreatModel.toJSON(
    SPEC,
    classes,
    detector,
    { buckets: NAMER_BUCKETS, ...namer },
    { rule, uncertain, confident },
    {
      rows: rows.length,
      instances: instances.length,
      attackInstances: instances.filter((i) => i.y === 1).length,
      sources: [...new Set(rows.map((r) => r.source))],
      dataSha256: dataHash.digest('hex'),
      epochs: EPOCHS,
      learningRate: LR,
      l2: L2,
      folds: FOLDS,
      cv: {
        uncertain: { threshold: uncertain, ...cv.uncertain },
        confident: { threshold: confident, ...cv.confident },
        withRules: { threshold: rule, ...cv.withRules },
      },
      rules: ruleStats(prepared.fired, rows),
    },
  );
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(file) + '\n');
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  process.stdout.write(
    [
      `trained on ${rows.length} rows (${instances.length} messages, ${file.training!.attackInstances} attack messages), ${classes.length} sub-threats, in ${((Date.now() - started) / 1000).toFixed(0)} s`,
      `5-fold CV, rows, model only: uncertain threshold ${uncertain}: recall ${pct(cv.uncertain.recall)}, FPR ${pct(cv.uncertain.fpr)}; confident threshold ${confident}: recall ${pct(cv.confident.recall)}, FPR ${pct(cv.confident.fpr)}`,
      `with the word rules where the model gives >= ${rule}: recall ${pct(cv.withRules.recall)}, FPR ${pct(cv.withRules.fpr)}`,
      `wrote ${path.relative(process.cwd(), OUT)} (${(fs.statSync(OUT).size / 1024).toFixed(0)} KiB)`,
    ].join('\n') + '\n',
  );
}

if (require.main === module) main();
