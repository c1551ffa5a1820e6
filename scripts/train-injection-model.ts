/**
 * Trains the learned prompt-injection model (`npm run train`).
 *
 * Input: the TRAIN split only (../shared/benchmarks/prompt-injections-train.jsonl, or
 * BTV_BENCHMARKS_DIR). The test split is never read here.
 * Output: config/models/injection.json (format btv-hashed-logreg/1, see src/engine/classifier/model.ts).
 *
 * Method: L2-regularised logistic regression on hashed word uni/bigrams and in-word character
 * n-grams (src/engine/classifier/features.ts) of the classifier's normalised token view, fitted
 * by full-batch gradient descent (deterministic: no randomness, fixed fold assignment). The L2
 * strength and the decision threshold are chosen by stratified 5-fold cross-validation on the
 * train split (scoring only rows that pass the model's cue gate, as the classifier does): the threshold is the lowest out-of-fold probability at which precision is still
 * >= the target (0.9) with a safety margin, which maximises recall at that precision.
 *
 *   npm run train                      # writes config/models/injection.json
 *   npm run train -- --out /tmp/m.json # elsewhere
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadThreatConfig } from '../src/engine/classifier/config';
import { FeatureBuilder, FeatureSpec, Sparse } from '../src/engine/classifier/features';
import { HashedLogReg } from '../src/engine/classifier/model';
import { normalize } from '../src/engine/classifier/normalize';

const ROOT = path.resolve(__dirname, '..');
const DIR = process.env.BTV_BENCHMARKS_DIR ? path.resolve(process.env.BTV_BENCHMARKS_DIR) : path.resolve(ROOT, '..', 'shared', 'benchmarks');
const TRAIN = path.join(DIR, 'prompt-injections-train.jsonl');
const outArg = process.argv.indexOf('--out');
const OUT = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(ROOT, 'config', 'models', 'injection.json');

export const SPEC: FeatureSpec = { buckets: 1 << 15, wordNgrams: 2, charMin: 3, charMax: 5 };
const TARGET_PRECISION = 0.9;
/** Threshold is chosen where out-of-fold precision >= TARGET_PRECISION + MARGIN, for headroom on unseen data. */
const MARGIN = 0.03;
const FOLDS = 5;
const EPOCHS = 3000;
const LR = 4;
const L2_GRID = [1e-5, 1e-4, 1e-3];

interface Example {
  x: Sparse;
  y: number;
}

function train(data: Example[], l2: number, buckets: number): { w: Float64Array; b: number } {
  const w = new Float64Array(buckets);
  const g = new Float64Array(buckets);
  let b = 0;
  const pos = data.filter((d) => d.y === 1).length;
  // balance the classes so the decision is not driven by the base rate
  const wPos = data.length / (2 * Math.max(1, pos));
  const wNeg = data.length / (2 * Math.max(1, data.length - pos));
  const n = data.length;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    g.fill(0);
    let gb = 0;
    for (const { x, y } of data) {
      let z = b;
      for (let k = 0; k < x.idx.length; k++) z += w[x.idx[k]] * x.val[k];
      const p = 1 / (1 + Math.exp(-z));
      const err = (p - y) * (y === 1 ? wPos : wNeg);
      for (let k = 0; k < x.idx.length; k++) g[x.idx[k]] += err * x.val[k];
      gb += err;
    }
    const lr = LR / Math.sqrt(1 + epoch / 50);
    for (let i = 0; i < buckets; i++) w[i] -= lr * (g[i] / n + l2 * w[i]);
    b -= lr * (gb / n);
  }
  return { w, b };
}

function predict(m: { w: Float64Array | Float32Array; b: number }, x: Sparse): number {
  let z = m.b;
  for (let k = 0; k < x.idx.length; k++) z += m.w[x.idx[k]] * x.val[k];
  return 1 / (1 + Math.exp(-z));
}

/**
 * Deterministic, group-aware folds. The split holds many near-duplicates (the same attack alone,
 * after a question, after two questions), which mostly share their ending; rows with the same last
 * words form one group and stay in one fold, so cross-validation does not score a row with its own
 * copy in the training folds. Groups are dealt round-robin in order of first appearance, separately
 * for injections and benign rows (stratified).
 */
function folds(views: string[], labels: number[]): number[] {
  const groupOf = (v: string) => v.trim().split(' ').slice(-6).join(' ');
  const assigned = new Map<string, number>();
  const next = [0, 0];
  return views.map((v, i) => {
    const key = `${labels[i]}:${groupOf(v)}`;
    let f = assigned.get(key);
    if (f === undefined) {
      f = next[labels[i]]++ % FOLDS;
      assigned.set(key, f);
    }
    return f;
  });
}

/** Lowest threshold whose precision stays >= target; returns it with its precision and recall. */
function chooseThreshold(scores: number[], labels: number[], target: number) {
  const order = scores.map((s, i) => i).sort((a, b) => scores[b] - scores[a]);
  const total = labels.filter((y) => y === 1).length;
  let tp = 0;
  let fp = 0;
  let best = { threshold: 0.99, precision: 1, recall: 0 };
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (labels[i] === 1) tp++;
    else fp++;
    // only cut between distinct scores
    if (k + 1 < order.length && scores[order[k + 1]] === scores[i]) continue;
    const precision = tp / (tp + fp);
    if (precision >= target && tp / total >= best.recall) best = { threshold: scores[i], precision, recall: tp / total };
  }
  return best;
}

function main(): void {
  if (!fs.existsSync(TRAIN)) {
    console.error(`missing ${TRAIN} (set BTV_BENCHMARKS_DIR)`);
    process.exit(1);
  }
  const raw = fs.readFileSync(TRAIN, 'utf8');
  const rows = raw
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { text: string; label: number });
  // The same lexicon-aware normalisation the classifier applies at inference time.
  const cfg = loadThreatConfig(path.join(ROOT, 'config', 'threats.yaml'));
  let maxLength = 0;
  cfg.lexicon.forEach((w) => (maxLength = Math.max(maxLength, w.length)));
  const lexicon = { has: (w: string) => cfg.lexicon.has(w), maxLength };
  const fb = new FeatureBuilder(SPEC);
  const norm = rows.map((r) => normalize(r.text, lexicon));
  // The view the classifier scores: the deobfuscated one when it differs from the main view.
  const views = norm.map((v) => v.deobf ?? v.main);
  // The cue gate of threats.yaml (models.injection.requires): rows without a cue are never scored
  // by the classifier, so they count as negatives when the threshold is chosen.
  const requires = cfg.models.find((m) => m.name === 'injection')?.requires ?? [];
  const cued = (v: string) => requires.some((lp) => ((lp.re.lastIndex = 0), lp.re.test(v)));
  const gate = views.map((v) => requires.length === 0 || cued(v));
  const data: Example[] = rows.map((r, i) => ({ x: fb.vector(views[i]), y: r.label === 1 ? 1 : 0 }));
  const labels = data.map((d) => d.y);
  const fold = folds(views, labels);

  console.log(`train split: ${data.length} rows, ${labels.filter((y) => y).length} injections; ${FOLDS}-fold group-aware CV (${new Set(views.map((v, i) => labels[i] + v.trim().split(' ').slice(-6).join(' '))).size} groups)`);
  let chosen = { l2: L2_GRID[0], threshold: 0.5, precision: 0, recall: -1, auc: 0 };
  for (const l2 of L2_GRID) {
    const oof = new Array<number>(data.length).fill(0);
    for (let f = 0; f < FOLDS; f++) {
      const m = train(
        data.filter((_, i) => fold[i] !== f),
        l2,
        SPEC.buckets,
      );
      data.forEach((d, i) => {
        if (fold[i] === f) oof[i] = gate[i] ? predict(m, d.x) : 0;
      });
    }
    const t = chooseThreshold(oof, labels, TARGET_PRECISION + MARGIN);
    if (l2 === L2_GRID[0]) console.log(`  cue gate passes ${gate.filter(Boolean).length}/${gate.length} rows (${gate.filter((g, i) => g && labels[i]).length}/${labels.filter((y) => y).length} injections)`);
    console.log(`  l2=${l2}: CV recall ${(t.recall * 100).toFixed(1)}% at precision ${(t.precision * 100).toFixed(1)}% (threshold ${t.threshold.toFixed(3)})`);
    if (t.recall > chosen.recall) chosen = { l2, ...t, auc: 0 };
  }
  console.log(`chosen l2=${chosen.l2}, threshold ${chosen.threshold.toFixed(3)}`);
  const model = train(data, chosen.l2, SPEC.buckets);
  const file = HashedLogReg.toJSON(SPEC, model.w, Math.round(model.b * 1e6) / 1e6, Math.round(chosen.threshold * 1e4) / 1e4, {
    data: 'prompt-injections-train.jsonl (train split only)',
    dataSha256: createHash('sha256').update(raw).digest('hex'),
    rows: data.length,
    positives: labels.filter((y) => y).length,
    view: 'normalize(text).deobf ?? normalize(text).main',
    l2: chosen.l2,
    epochs: EPOCHS,
    cvFolds: FOLDS,
    cvTargetPrecision: TARGET_PRECISION,
    cvMargin: MARGIN,
    cvPrecision: Math.round(chosen.precision * 1000) / 1000,
    cvRecall: Math.round(chosen.recall * 1000) / 1000,
    cvGate: 'threats.yaml models.injection.requires',
  });
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  const json = JSON.stringify(file, null, 1) + '\n';
  fs.writeFileSync(OUT, json);
  console.log(`wrote ${path.relative(process.cwd(), OUT)} (${(json.length / 1024).toFixed(0)} KB)`);
}

main();
