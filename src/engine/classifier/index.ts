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

export { ThreatConfigError } from './config';

export interface Classifier {
  classify(text: string): Classification;
  /** sha256 hex of the rule and model files' content. */
  readonly rulesHash: string;
}

/** Base64 candidates: 16+ characters of the standard or URL-safe alphabet. */
const BASE64 = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g;
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
  const letters = text.match(/[\p{L}\s]/gu)?.length ?? 0;
  return letters / text.length >= 0.7 ? text : undefined;
}

interface AnchoredPattern {
  rule: number;
  lp: LangPattern;
}

interface LoadedModel {
  ref: ModelRef;
  model: HashedLogReg;
  threshold: number;
}

const evidence = (s: string) => (s.length > EVIDENCE_MAX ? s.slice(0, EVIDENCE_MAX - 1) + '…' : s);

class Engine implements Classifier {
  private readonly anchored: AnchoredPattern[] = [];
  /** First three letters of a possible first word (the whole word when shorter) → anchored patterns. */
  private readonly index = new Map<string, number[]>();
  private readonly regexRules: number[] = [];
  private readonly lexicon: Lexicon;

  constructor(
    private readonly cfg: ThreatConfig,
    private readonly models: LoadedModel[],
    readonly rulesHash: string,
  ) {
    cfg.rules.forEach((rule, r) => {
      if (rule.kind === 'regex') this.regexRules.push(r);
      else for (const lp of rule.groups[0]) this.anchored.push({ rule: r, lp });
    });
    this.anchored.forEach((a, id) => {
      const keys = new Set<string>();
      a.lp.words?.forEach((w) => keys.add(w.slice(0, 3)));
      a.lp.prefixes?.forEach((p) => keys.add(p.slice(0, 3)));
      for (const k of keys) {
        const list = this.index.get(k);
        if (list) list.push(id);
        else this.index.set(k, [id]);
      }
    });
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

    for (const { ref, model, threshold } of this.models) {
      let p = model.score(views.main);
      if (views.deobf) p = Math.max(p, model.score(views.deobf));
      const key = `model:${ref.name}`;
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

    if (depth < MAX_DEPTH && views.clean.length >= 16) {
      BASE64.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = BASE64.exec(views.clean)) && decoded.length < MAX_PAYLOADS) {
        const payload = decodeBase64Text(m[0]);
        if (payload === undefined) continue;
        decoded.push(payload);
        this.run(payload, depth + 1, found, decoded);
      }
    }
    return views.main.trim();
  }

  /** Runs the rules whose first word occurs in the token view. */
  private matchView(view: string, found: Map<string, Finding>, via: string) {
    const candidates: number[] = [];
    let i = 1;
    while (i < view.length) {
      const end = view.indexOf(' ', i);
      if (end < 0) break;
      const list = this.index.get(view.slice(i, Math.min(end, i + 3)));
      if (list) for (const id of list) candidates.push(id);
      i = end + 1;
    }
    if (candidates.length === 0) return;
    candidates.sort((a, b) => a - b);
    let last = -1;
    for (const id of candidates) {
      if (id === last) continue;
      last = id;
      const { rule: r, lp } = this.anchored[id];
      const rule = this.cfg.rules[r];
      if (found.has(rule.id)) continue;
      lp.re.lastIndex = 0;
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

  /** Whether every further group of an `all` rule matches within the rule's window of `at`. */
  private groupsNear(rule: Rule, lang: string, view: string, at: number, snippets: string[]): boolean {
    for (let g = 1; g < rule.groups.length; g++) {
      let hit: string | undefined;
      for (const lp of rule.groups[g]) {
        // Groups pair up within one language (or with language-neutral "common" patterns), so a
        // word of one language never completes a rule written in another ("alter" is German for age).
        if (lp.lang !== lang && lp.lang !== 'common' && lang !== 'common') continue;
        lp.re.lastIndex = 0;
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

  private anyMatch(patterns: LangPattern[], view: string): boolean {
    for (const lp of patterns) {
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
export function loadClassifier(configDir: string): Classifier {
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
  return new Engine(cfg, models, hash.digest('hex'));
}
