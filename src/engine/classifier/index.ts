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
import type { Classification, Finding } from '../threat-types';
import { buildConcepts } from './concepts';
import type { LangPattern, Rule, ThreatConfig } from './config';
import { loadThreatConfig, ThreatConfigError } from './config';
import type { Lexicon } from './normalize';
import { normalize } from './normalize';
import { alternativeReadings } from './readings';
import { isPlaceholder } from './secrets';
import type { MessageRole } from './threat-model';
import { ThreatModel } from './threat-model';
import { ViewWords, WordSetIndex } from './word-sets';

export type { MessageRole } from './threat-model';

export interface ClassifierMessage {
  role: MessageRole;
  content: string;
}

export { ThreatConfigError } from './config';

export interface Classifier {
  /** One user message. */
  classify(text: string): Classification;
  /** What the AI task will see, in order; findings name the message they came from. */
  classifyMessages(messages: readonly ClassifierMessage[]): Classification;
  /** The ids of the rules that fire on one text, without the model (what the model is given). */
  firedRules(text: string): string[];
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
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 43 ||
      c === 47 ||
      c === 95 ||
      c === 45;
    if (!inAlphabet) run = 0;
    else if (++run === 16) return true;
  }
  return false;
}
const MAX_DEPTH = 2; // a payload inside a payload is decoded; deeper ones are not
const MAX_PAYLOADS = 8;
/** Matches of one pattern examined per view (a rule needs one; `all` rules look at a few). */
const MAX_MATCHES = 8;
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
  for (let i = 0; i < text.length;) {
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
  /** Each pattern's first-word set, and a sticky copy of its expression (tried only at those words). */
  private readonly anchorOf = new Map<LangPattern, number>();
  private readonly sticky = new Map<LangPattern, RegExp>();
  private readonly lexicon: Lexicon;

  constructor(
    private readonly cfg: ThreatConfig,
    private readonly model: ThreatModel | undefined,
    readonly rulesHash: string,
  ) {
    const sets = new WordSetIndex();
    const need = (lp: LangPattern) => {
      this.requires.set(lp, Int32Array.from(lp.requires.map((ws) => sets.intern(ws))));
      this.anchorOf.set(lp, sets.intern({ words: lp.words!, prefixes: lp.prefixes! }));
      this.sticky.set(lp, new RegExp(lp.re.source, lp.re.flags.replace('g', '') + 'y'));
    };
    cfg.rules.forEach((rule, r) => {
      if (rule.kind === 'regex') this.regexRules.push(r);
      else
        for (const lp of rule.groups[0])
          this.anchored.push({ rule: r, lp, anchor: sets.intern({ words: lp.words!, prefixes: lp.prefixes! }) });
      rule.groups.forEach((g) => g.forEach(need));
      rule.unless.forEach(need);
    });
    this.anchored.forEach((a, id) => (this.anchoredBy[a.anchor] ??= []).push(id));
    this.candidates = new Int32Array(this.anchored.length);
    this.words = new ViewWords(sets);
    const words = cfg.lexicon;
    let maxLength = 0;
    words.forEach((w) => (maxLength = Math.max(maxLength, w.length)));
    this.lexicon = { has: (w) => words.has(w), maxLength };
  }

  classify(text: string): Classification {
    return this.classifyMessages([{ role: 'user', content: String(text ?? '') }]);
  }

  /** The ids of the rules that fire on one text, as the model sees them (for training). */
  firedRules(text: string): string[] {
    const found = new Map<string, Finding>();
    this.run(text, MAX_DEPTH, found, [], 'user', '', false);
    return [...found.keys()];
  }

  classifyMessages(messages: readonly ClassifierMessage[]): Classification {
    const findings: Finding[] = [];
    const decoded: string[] = [];
    const normalized: string[] = [];
    const clean: string[] = [];
    messages.forEach((m, messageIndex) => {
      const found = new Map<string, Finding>();
      const views = this.run(String(m.content ?? ''), 0, found, decoded, m.role, '');
      normalized.push(views.main);
      clean.push(views.clean);
      for (const f of found.values()) {
        // The developer's own instructions: a role, rules, "never reveal this" are expected there.
        if (m.role === 'system' && this.cfg.trustedInSystem.has(f.subThreat)) continue;
        const indirect = (m.role === 'tool' || m.role === 'context') && this.cfg.trustedInSystem.has(f.subThreat);
        findings.push({
          ...f,
          ...(indirect ? { subThreat: 'prompt_injection', pattern: `indirect:${f.pattern}` } : {}),
          messageIndex,
        });
      }
    });
    findings.sort(
      (a, b) => Number(b.certain) - Number(a.certain) || b.severity - a.severity || b.confidence - a.confidence,
    );
    return { findings, normalized: normalized.join(' '), clean: clean.join('\n'), decoded };
  }

  /** Classifies one text (a message or a decoded payload); returns its main view (trimmed) and clean view. */
  private run(
    text: string,
    depth: number,
    found: Map<string, Finding>,
    decoded: string[],
    role: MessageRole,
    via: string,
    useModel = true,
  ): { main: string; clean: string } {
    const views = normalize(text, this.lexicon);
    const before = new Set(found.keys());
    this.matchView(views.main, found, via);
    // Scanned last, so that the models' cue gates below read the view the models score.
    if (views.deobf) this.matchView(views.deobf, found, via);

    for (const r of this.regexRules) {
      const rule = this.cfg.rules[r];
      if (found.has(rule.id)) continue;
      for (const re of rule.regex) {
        re.lastIndex = 0;
        let m: RegExpExecArray | null;
        let tries = 0;
        // A secret's format filled with a placeholder ("sk-XXXX…", "<your-key>") is documentation.
        while (
          (m = re.exec(views.clean)) &&
          rule.subThreat.name === 'credential_exposure' &&
          isPlaceholder(m[0]) &&
          tries++ < 8
        );
        if (m && !(rule.subThreat.name === 'credential_exposure' && isPlaceholder(m[0]))) {
          this.add(found, rule, undefined, via + m[0]);
          break;
        }
      }
    }

    if (this.model && useModel) {
      const fired: string[] = [];
      for (const id of found.keys()) if (!id.startsWith('model:') && !before.has(id)) fired.push(id);
      const score = this.model.score(views.deobf ? [views.main, views.deobf] : [views.main], role, fired);
      const { rule: ruleThreshold, uncertain, confident } = this.model.thresholds;
      // A word rule's finding stands where the model sees enough in the message to agree.
      for (const id of fired) {
        const f = found.get(id)!;
        if (f.certain) continue;
        if (score.p < ruleThreshold) found.delete(id);
        else if (score.p >= confident)
          found.set(id, { ...f, certain: true, confidence: Math.round(score.p * 1000) / 1000 });
      }
      const st = this.cfg.subThreats.get(score.subThreat);
      if (st && score.p >= uncertain && !(role === 'system' && this.cfg.trustedInSystem.has(st.name))) {
        const key = `model:${st.name}`;
        if ((found.get(key)?.confidence ?? -1) < score.p) {
          found.set(key, {
            domain: st.domain,
            subThreat: st.name,
            pattern: 'model:threat',
            severity: st.severity,
            confidence: Math.round(score.p * 1000) / 1000,
            certain: score.p >= confident,
            messageIndex: 0,
            ...(st.prohibitedPractice ? { prohibitedPractice: st.prohibitedPractice } : {}),
            evidence: evidence(via + views.main.trim()),
          });
        }
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
        this.run(payload, depth + 1, found, decoded, role, 'base64: ');
      }
    }
    // Hex, reversed text, ROT13: read only when the text does not read as plain language already.
    if (depth < MAX_DEPTH) {
      for (const r of alternativeReadings(views.clean, views.main, this.lexicon)) {
        if (decoded.length >= MAX_PAYLOADS) break;
        if (decoded.includes(r.text)) continue;
        decoded.push(r.text);
        this.run(r.text, depth + 1, found, decoded, role, `${r.kind}: `);
      }
    }
    return { main: views.main.trim(), clean: views.clean };
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
      const { rule: r, lp } = this.anchored[id];
      const rule = this.cfg.rules[r];
      if (found.has(rule.id) || !this.possible(lp)) continue;
      let tries = 0;
      for (const at of this.words.positions(this.anchorOf.get(lp)!)) {
        const m = this.stickyAt(lp, view, at);
        if (!m) continue;
        if (tries++ >= MAX_MATCHES) break;
        const snippets = [m.trim()];
        if (rule.kind === 'all' && !this.groupsNear(rule, lp.lang, view, at, snippets)) continue;
        if (rule.unless.length && this.anyMatch(rule.unless, view)) break;
        this.add(found, rule, lp.lang === 'common' ? undefined : lp.lang, via + snippets.join(' … '));
        break;
      }
    }
  }

  /** The pattern's match starting exactly at `at` (the space before a word), if any. */
  private stickyAt(lp: LangPattern, view: string, at: number): string | undefined {
    const re = this.sticky.get(lp)!;
    re.lastIndex = at;
    return re.exec(view)?.[0];
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
        for (const pos of this.words.positions(this.anchorOf.get(lp)!, at - rule.window, at + rule.window)) {
          hit = this.stickyAt(lp, view, pos)?.trim();
          if (hit) break;
        }
        if (hit) break;
      }
      if (!hit) return false;
      snippets.push(hit);
    }
    return true;
  }

  /** Whether any of the patterns matches the last scanned view. */
  private anyMatch(patterns: LangPattern[], view: string): boolean {
    for (const lp of patterns) {
      if (!this.possible(lp)) continue;
      for (const pos of this.words.positions(this.anchorOf.get(lp)!))
        if (this.stickyAt(lp, view, pos) !== undefined) return true;
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
      certain: rule.certain,
      messageIndex: 0,
      ...(st.prohibitedPractice ? { prohibitedPractice: st.prohibitedPractice } : {}),
      ...(lang ? { language: lang } : {}),
      evidence: evidence(snippet),
    });
  }
}

/**
 * Loads <configDir>/threats.yaml and the model file it names. Throws an Error naming the file and
 * the field when something is wrong.
 */
export interface ClassifierOptions {
  /** A model to use instead of the one threats.yaml names (cross-validation folds in `npm run eval`). */
  model?: ThreatModel;
  /** The rules alone, as configured: no model (`npm run train` measures the rules with it). */
  rulesOnly?: boolean;
}

export function loadClassifier(configDir: string, options: ClassifierOptions = {}): Classifier {
  const cfg = loadThreatConfig(path.join(configDir, 'threats.yaml'));
  const hash = createHash('sha256');
  hash.update('threats.yaml\0').update(cfg.source);
  if (cfg.models.length > 1)
    throw new ThreatConfigError('threats.yaml: models: one model (the threat model) is supported');
  let model: ThreatModel | undefined;
  for (const ref of options.rulesOnly ? [] : cfg.models) {
    const file = path.join(configDir, ref.file);
    let raw: string;
    try {
      raw = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ThreatConfigError(
        `${ref.file}: cannot read (named by threats.yaml models.${ref.name}.file): ${(e as Error).message}`,
      );
    }
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (e) {
      throw new ThreatConfigError(`${ref.file}: not valid JSON: ${(e as Error).message}`);
    }
    try {
      model = ThreatModel.fromJSON(doc, ref.file, new Set(cfg.subThreats.keys()), buildConcepts(cfg.vocab));
    } catch (e) {
      throw new ThreatConfigError((e as Error).message);
    }
    hash.update(`\0${ref.file}\0`).update(raw);
  }
  return new Engine(cfg, options.rulesOnly ? undefined : (options.model ?? model), hash.digest('hex'));
}
