/**
 * Threat classifier: normalises a prompt (normalize.ts), matches the multilingual word-boundary
 * rules of config/threats.yaml on its views, scores it with the learned injection model
 * (config/models/injection.json), and classifies embedded base64 payloads the same way.
 *
 * Pure and in-process: loadClassifier reads and compiles everything once; classify() does no I/O.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Classification, Finding } from '../threat-types';
import { LangPattern, loadThreatConfig, ModelRef, Rule, ThreatConfig, ThreatConfigError } from './config';
import { HashedLogReg } from './model';
import { Lexicon, normalize } from './normalize';
import { ViewWords, WordSetIndex } from './word-sets';

export { ThreatConfigError } from './config';

export interface Classifier {
  classify(text: string): Classification;
  /** sha256 hex of the rule and model files' content. */
  readonly rulesHash: string;
}

/** Base64 candidates: 16+ characters of the standard or URL-safe alphabet. */
const BASE64 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g;
/** Cheap pre-check for BASE64: 16 characters of its alphabet in a row (one pass, no backtracking). */
function hasBase64Run(s: string): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const inAlphabet =
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 95 || c === 45;
    if (!inAlphabet) run = 0;
    else if (++run === 16) return true;
  }
  return false;
}
const MAX_DEPTH = 2; // a payload inside a payload is decoded; deeper ones are not
const MAX_PAYLOADS = 8;
const EVIDENCE_MAX = 80;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes s when it is base64 of printable UTF-8 text; undefined otherwise. */
export function decodeBase64Text(s: string): string | undefined {
  const body = s.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  // Plain words and identifiers are not payloads: base64 of text mixes cases and usually digits.
  if (!/[a-z]/.test(body) || !/[A-Z0-9+/]/.test(body)) return undefined;
  let text: string;
  try {
    text = utf8.decode(Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  } catch {
    return undefined;
  }
  if (text.length < 6 || /[^\P{C}\t\n\r]/u.test(text)) return undefined;
  return lettersAndSpaces(text) / text.length >= 0.7 ? text : undefined;
}

const LETTER_OR_SPACE = /[\p{L}\s]/uy;

/** How many characters of text are letters or white space (a loop: no array of matches). */
function lettersAndSpaces(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      const lower = c | 32;
      if ((lower >= 97 && lower <= 122) || c === 32 || (c >= 9 && c <= 13)) n++;
      i++;
      continue;
    }
    LETTER_OR_SPACE.lastIndex = i;
    if (LETTER_OR_SPACE.test(text)) n++;
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return n;
}

interface AnchoredPattern {
  rule: number;
  lp: LangPattern;
  /** The word set of its possible first words. */
  anchor: number;
}

interface LoadedModel {
  ref: ModelRef;
  model: HashedLogReg;
  threshold: number;
}

const evidence = (s: string) => (s.length > EVIDENCE_MAX ? s.slice(0, EVIDENCE_MAX - 1) + '…' : s);

class Engine implements Classifier {
  private readonly anchored: AnchoredPattern[] = [];
  /** Word set → the anchored patterns it is the first-word set of. */
  private readonly anchoredBy: number[][] = [];
  /** Per pattern: the word sets a view must draw on for it to match (see Compiled.requires). */
  private readonly requires = new Map<LangPattern, Int32Array>();
  private readonly words: ViewWords;
  /** Scratch list of the anchored patterns to try on a view (each appears at most once). */
  private readonly candidates: Int32Array;
  private readonly regexRules: number[] = [];
  private readonly lexicon: Lexicon;

  constructor(
    private readonly cfg: ThreatConfig,
    private readonly models: LoadedModel[],
    readonly rulesHash: string,
    private readonly exhaustive: boolean,
  ) {
    const sets = new WordSetIndex();
    const need = (lp: LangPattern) => this.requires.set(lp, Int32Array.from(lp.requires.map((ws) => sets.intern(ws))));
    cfg.rules.forEach((rule, r) => {
      if (rule.kind === 'regex') this.regexRules.push(r);
      else for (const lp of rule.groups[0]) this.anchored.push({ rule: r, lp, anchor: sets.intern({ words: lp.words!, prefixes: lp.prefixes! }) });
      rule.groups.forEach((g) => g.forEach(need));
      rule.unless.forEach(need);
    });
    models.forEach((m) => m.ref.requires.forEach(need));
    this.anchored.forEach((a, id) => (this.anchoredBy[a.anchor] ??= []).push(id));
    this.candidates = new Int32Array(this.anchored.length);
    this.words = new ViewWords(sets);
    const words = cfg.lexicon;
    let maxLength = 0;
    words.forEach((w) => (maxLength = Math.max(maxLength, w.length)));
    this.lexicon = { has: (w) => words.has(w), maxLength };
  }

  classify(text: string): Classification {
    const found = new Map<string, Finding>();
    const decoded: string[] = [];
    const normalized = this.run(String(text ?? ''), 0, found, decoded);
    const findings = [...found.values()].sort((a, b) => b.severity - a.severity || b.confidence - a.confidence);
    return { findings, normalized, decoded };
  }

  /** Classifies one text (the prompt or a decoded payload); returns its main view, trimmed. */
  private run(text: string, depth: number, found: Map<string, Finding>, decoded: string[]): string {
    const views = normalize(text, this.lexicon);
    const via = depth > 0 ? 'base64: ' : '';
    this.matchView(views.main, found, via);
    // Scanned last, so that the models' cue gates below read the view the models score.
    if (views.deobf) this.matchView(views.deobf, found, via);

    for (const r of this.regexRules) {
      const rule = this.cfg.rules[r];
      if (found.has(rule.id)) continue;
      for (const re of rule.regex) {
        re.lastIndex = 0;
        const m = re.exec(views.clean);
        if (m) {
          this.add(found, rule, undefined, via + m[0]);
          break;
        }
      }
    }

    for (let mi = 0; mi < this.models.length; mi++) {
      const { ref, model, threshold } = this.models[mi];
      const key = `model:${ref.name}`;
      // A model adds nothing to the decision when a rule already reported its sub-threat at least as
      // severely (skipped for speed unless the classifier is exhaustive, as the eval breakdown needs).
      if (!this.exhaustive && this.covered(found, ref)) continue;
      // The deobfuscated view when there is one (it is the main view with obfuscations undone).
      const view = views.deobf ?? views.main;
      if (ref.requires.length && !this.anyMatch(ref.requires, view)) continue;
      const p = model.score(view);
      if (p >= threshold && (found.get(key)?.confidence ?? -1) < p) {
        found.set(key, {
          domain: ref.subThreat.domain,
          subThreat: ref.subThreat.name,
          pattern: key,
          severity: ref.severity,
          confidence: Math.round(p * 1000) / 1000,
          ...(ref.subThreat.prohibitedPractice ? { prohibitedPractice: ref.subThreat.prohibitedPractice } : {}),
          evidence: evidence(via + views.main.trim()),
        });
      }
    }

    if (depth < MAX_DEPTH && views.clean.length >= 16 && hasBase64Run(views.clean)) {
      // Collect the candidates first: the nested run() reuses the global BASE64 expression.
      const candidates = views.clean.match(BASE64) ?? [];
      for (const candidate of candidates) {
        if (decoded.length >= MAX_PAYLOADS) break;
        const payload = decodeBase64Text(candidate);
        // The same payload twice tells nothing new (a pasted block repeated, say).
        if (payload === undefined || decoded.includes(payload)) continue;
        decoded.push(payload);
        this.run(payload, depth + 1, found, decoded);
      }
    }
    return views.main.trim();
  }

  /** Runs the rules whose first word occurs in the token view (and whose other required words do). */
  private matchView(view: string, found: Map<string, Finding>, via: string): void {
    const { words } = this;
    words.scan(view);
    let n = 0;
    const all = this.candidates;
    for (const set of words.sets) {
      const ids = this.anchoredBy[set];
      if (ids) for (const id of ids) all[n++] = id;
    }
    if (n === 0) return;
    // In rule order, so the pattern reported for a rule does not depend on the words of the text
    // (a typed array sorts numerically, without a comparator call per pair).
    const candidates = all.subarray(0, n).sort();
    for (const id of candidates) {
      const { rule: r, lp, anchor } = this.anchored[id];
      const rule = this.cfg.rules[r];
      if (found.has(rule.id) || !this.possible(lp)) continue;
      // no match can start before the earliest possible first word
      lp.re.lastIndex = words.firstAt(anchor);
      let m: RegExpExecArray | null;
      let tries = 0;
      while ((m = lp.re.exec(view)) && tries++ < 8) {
        const at = m.index;
        const snippets = [m[0].trim()];
        if (rule.kind === 'all' && !this.groupsNear(rule, lp.lang, view, at, snippets)) continue;
        if (rule.unless.length && this.anyMatch(rule.unless, view)) break;
        this.add(found, rule, lp.lang === 'common' ? undefined : lp.lang, via + snippets.join(' … '));
        break;
      }
    }
  }

  /** Whether the last scanned view holds every word set the pattern needs. */
  private possible(lp: LangPattern): boolean {
    return this.words.hasAll(this.requires.get(lp)!);
  }

  /** Whether every further group of an `all` rule matches within the rule's window of `at`. */
  private groupsNear(rule: Rule, lang: string, view: string, at: number, snippets: string[]): boolean {
    for (let g = 1; g < rule.groups.length; g++) {
      let hit: string | undefined;
      for (const lp of rule.groups[g]) {
        // Groups pair up within one language (or with language-neutral "common" patterns), so a
        // word of one language never completes a rule written in another ("alter" is German for age).
        if ((lp.lang !== lang && lp.lang !== 'common' && lang !== 'common') || !this.possible(lp)) continue;
        // a match further than the window before the anchor cannot count
        lp.re.lastIndex = rule.window === Infinity ? 0 : Math.max(0, at - rule.window);
        let m: RegExpExecArray | null;
        while ((m = lp.re.exec(view))) {
          if (Math.abs(m.index - at) <= rule.window) {
            hit = m[0].trim();
            break;
          }
          if (m.index - at > rule.window) break;
        }
        if (hit) break;
      }
      if (!hit) return false;
      snippets.push(hit);
    }
    return true;
  }

  private covered(found: Map<string, Finding>, ref: ModelRef): boolean {
    for (const f of found.values()) if (f.subThreat === ref.subThreat.name && f.severity >= ref.severity && !f.pattern.startsWith('model:')) return true;
    return false;
  }

  /** Whether any of the patterns matches the last scanned view. */
  private anyMatch(patterns: LangPattern[], view: string): boolean {
    for (const lp of patterns) {
      if (!this.possible(lp)) continue;
      lp.re.lastIndex = 0;
      if (lp.re.test(view)) return true;
    }
    return false;
  }

  private add(found: Map<string, Finding>, rule: Rule, lang: string | undefined, snippet: string) {
    const st = rule.subThreat;
    found.set(rule.id, {
      domain: st.domain,
      subThreat: st.name,
      pattern: lang ? `${rule.id}.${lang}` : rule.id,
      severity: rule.severity,
      confidence: rule.confidence,
      ...(st.prohibitedPractice ? { prohibitedPractice: st.prohibitedPractice } : {}),
      ...(lang ? { language: lang } : {}),
      evidence: evidence(snippet),
    });
  }
}

/**
 * Loads <configDir>/threats.yaml and the model files it names. Throws an Error naming the file and
 * the field when something is wrong.
 */
export interface ClassifierOptions {
  /**
   * Run every model even when a rule already reported the model's sub-threat at least as severely
   * (default false: such model runs are skipped, they cannot change the decision). The evaluation
   * sets it to report rules-only vs model-only figures.
   */
  exhaustive?: boolean;
}

export function loadClassifier(configDir: string, options: ClassifierOptions = {}): Classifier {
  const cfg = loadThreatConfig(path.join(configDir, 'threats.yaml'));
  const hash = createHash('sha256');
  hash.update('threats.yaml\0').update(cfg.source);
  const models: LoadedModel[] = cfg.models.map((ref) => {
    const file = path.join(configDir, ref.file);
    let raw: string;
    try {
      raw = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ThreatConfigError(`${ref.file}: cannot read (named by threats.yaml models.${ref.name}.file): ${(e as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (e) {
      throw new ThreatConfigError(`${ref.file}: not valid JSON: ${(e as Error).message}`);
    }
    let model: HashedLogReg;
    try {
      model = HashedLogReg.fromJSON(doc, ref.file);
    } catch (e) {
      throw new ThreatConfigError((e as Error).message);
    }
    hash.update(`\0${ref.file}\0`).update(raw);
    return { ref, model, threshold: ref.threshold ?? model.threshold };
  });
  return new Engine(cfg, models, hash.digest('hex'), options.exhaustive === true);
}
