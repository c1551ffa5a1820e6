/**
 * Loads and validates config/threats.yaml (format: docs/classifier.md). Every error names the
 * file and the field, e.g. `threats.yaml: rules[3].severity: must be a number from 0 to 10`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { superLinear } from './linear';
import YAML from 'yaml';
import type { ProhibitedPractice, ThreatDomain } from '../threat-types';
import { PROHIBITED_PRACTICES, THREAT_DOMAINS } from '../threat-types';
import type { Compiled, Node } from './patterns';
import { compilePattern, literalWords, parsePattern, PatternError } from './patterns';

export interface SubThreat {
  name: string;
  domain: ThreatDomain;
  severity: number;
  prohibitedPractice?: ProhibitedPractice;
  description?: string;
}

/** One compiled pattern of one language. */
export interface LangPattern extends Compiled {
  lang: string;
}

export interface Rule {
  id: string;
  subThreat: SubThreat;
  severity: number;
  confidence: number;
  /** match: any pattern; all: every group (group 0 anchors the rule); regex: raw expressions on the clean view. */
  kind: 'match' | 'all' | 'regex';
  groups: LangPattern[][];
  regex: RegExp[];
  /** Characters within which every group of an `all` rule must match. */
  window: number;
  unless: LangPattern[];
  /**
   * An exact rule (a secret's format, a chat-template token) is a confident finding; a rule of
   * words is uncertain evidence (on prompts written apart from this team most of them were wrong
   * more often than right), which weighs in the risk score but blocks only through the limits.
   */
  certain: boolean;
}

export interface ModelRef {
  name: string;
  file: string;
}

export interface ThreatConfig {
  subThreats: Map<string, SubThreat>;
  rules: Rule[];
  models: ModelRef[];
  /** Every literal word of every pattern. */
  lexicon: Set<string>;
  /** The vocabulary lists as written, keyed "lang:name" (concepts for the learned model). */
  vocab: Map<string, string[]>;
  /** Sub-threats that are not findings in a system message (the developer's own instructions). */
  trustedInSystem: Set<string>;
  /** Raw file content, for the rules hash. */
  source: string;
}

export class ThreatConfigError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const LANG = /^[a-z]{2,3}$/;
const NAME = /^[a-z][a-z0-9_]*$/;
const RULE_ID = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

export function loadThreatConfig(file: string): ThreatConfig {
  const base = path.basename(file);
  const fail = (field: string, msg: string): never => {
    throw new ThreatConfigError(`${base}: ${field}: ${msg}`);
  };
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ThreatConfigError(`${base}: cannot read ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(source);
  } catch (e) {
    throw new ThreatConfigError(`${base}: not valid YAML: ${(e as Error).message}`);
  }
  if (!isObj(doc)) return fail('(top level)', 'must be a mapping');
  if (doc.version !== 1) fail('version', 'must be 1');

  const num = (v: unknown, field: string, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      fail(field, `must be a number from ${min} to ${max}`);
    return v as number;
  };
  const strList = (v: unknown, field: string): string[] => {
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s.trim() !== '')) {
      fail(field, 'must be a non-empty list of strings');
    }
    return v as string[];
  };

  // Sub-threats.
  const subThreats = new Map<string, SubThreat>();
  if (!isObj(doc.subThreats) || Object.keys(doc.subThreats).length === 0)
    fail('subThreats', 'must be a non-empty mapping');
  for (const [name, raw] of Object.entries(doc.subThreats as Obj)) {
    const f = `subThreats.${name}`;
    if (!NAME.test(name)) fail(f, 'name must be snake_case');
    if (!isObj(raw)) return fail(f, 'must be a mapping');
    if (!THREAT_DOMAINS.includes(raw.domain as ThreatDomain))
      fail(`${f}.domain`, `must be one of ${THREAT_DOMAINS.join(', ')}`);
    const severity = num(raw.severity, `${f}.severity`, 0, 10);
    let prohibitedPractice: ProhibitedPractice | undefined;
    if (raw.prohibitedPractice !== undefined) {
      if (!PROHIBITED_PRACTICES.includes(raw.prohibitedPractice as ProhibitedPractice)) {
        fail(`${f}.prohibitedPractice`, `must be one of ${PROHIBITED_PRACTICES.join(', ')}`);
      }
      prohibitedPractice = raw.prohibitedPractice as ProhibitedPractice;
    }
    if (raw.description !== undefined && typeof raw.description !== 'string')
      fail(`${f}.description`, 'must be a string');
    subThreats.set(name, {
      name,
      domain: raw.domain as ThreatDomain,
      severity,
      prohibitedPractice,
      description: raw.description as string | undefined,
    });
  }
  const subThreatOf = (v: unknown, field: string): SubThreat => {
    const st = typeof v === 'string' ? subThreats.get(v) : undefined;
    if (!st) fail(field, `must name a sub-threat declared under subThreats (got ${JSON.stringify(v)})`);
    return st as SubThreat;
  };

  // Vocabulary: vocab.<lang|common>.<name>: [entries]. Parsed lazily, cycles detected.
  const vocabRaw = new Map<string, { field: string; entries: string[] }>();
  if (doc.vocab !== undefined) {
    if (!isObj(doc.vocab)) fail('vocab', 'must be a mapping of language to lists');
    for (const [lang, lists] of Object.entries(doc.vocab as Obj)) {
      if (lang !== 'common' && !LANG.test(lang)) fail(`vocab.${lang}`, 'must be "common" or a language code like "en"');
      if (!isObj(lists)) return fail(`vocab.${lang}`, 'must be a mapping of name to a list of words or phrases');
      for (const [name, entries] of Object.entries(lists)) {
        if (!/^[A-Za-z0-9_]+$/.test(name)) fail(`vocab.${lang}.${name}`, 'name must be letters, digits and _');
        vocabRaw.set(`${lang}:${name}`, {
          field: `vocab.${lang}.${name}`,
          entries: strList(entries, `vocab.${lang}.${name}`),
        });
      }
    }
  }
  const vocabParsed = new Map<string, Node>();
  const resolving = new Set<string>();
  const lexicon = new Set<string>();
  const resolverFor = (lang: string, field: string) => {
    const resolve = (name: string): Node => {
      const key = vocabRaw.has(`${lang}:${name}`) ? `${lang}:${name}` : `common:${name}`;
      const entry = vocabRaw.get(key);
      if (!entry) return fail(field, `@${name} is not defined under vocab.${lang} or vocab.common`);
      const done = vocabParsed.get(key);
      if (done) return done;
      if (resolving.has(key)) return fail(entry.field, `refers to itself through @${name}`);
      resolving.add(key);
      const entryLang = key.startsWith('common:') ? lang : key.split(':')[0];
      const alts = entry.entries.map((e, j) => parseOrFail(e, `${entry.field}[${j}]`, entryLang));
      resolving.delete(key);
      const node: Node = alts.length === 1 ? alts[0] : { k: 'alt', alts };
      // common lists may refer to language lists, so cache per language
      if (!key.startsWith('common:')) vocabParsed.set(key, node);
      return node;
    };
    return resolve;
  };
  const parseOrFail = (src: string, field: string, lang: string): Node => {
    try {
      const node = parsePattern(src, resolverFor(lang, field));
      literalWords(node, lexicon);
      return node;
    } catch (e) {
      if (e instanceof PatternError) return fail(field, e.message);
      throw e;
    }
  };
  const linearOrFail = (re: RegExp, field: string): RegExp => {
    const why = superLinear(re);
    if (why)
      fail(
        field,
        `is not linear in the length of the text (${why}): a prompt could hold the server; rewrite it so no repeated character can be tried from many starting points`,
      );
    return re;
  };
  const compileOrFail = (src: string, field: string, lang: string): LangPattern => {
    const c = compilePattern(parseOrFail(src, field, lang));
    if (!c.words && !c.prefixes)
      fail(field, 'a pattern must start with a word (not a gap, a regex or only optional parts)');
    linearOrFail(c.re, field);
    return { ...c, lang };
  };
  const langPatterns = (v: unknown, field: string): LangPattern[] => {
    if (!isObj(v) || Object.keys(v).length === 0)
      return fail(field, 'must map language codes (en, de, ...) to lists of patterns');
    const out: LangPattern[] = [];
    for (const [lang, list] of Object.entries(v)) {
      if (lang !== 'common' && !LANG.test(lang))
        fail(`${field}.${lang}`, 'must be "common" or a language code like "en"');
      strList(list, `${field}.${lang}`).forEach((p, j) => out.push(compileOrFail(p, `${field}.${lang}[${j}]`, lang)));
    }
    return out;
  };

  // Rules.
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) fail('rules', 'must be a non-empty list');
  const rules: Rule[] = [];
  const ids = new Set<string>();
  (doc.rules as unknown[]).forEach((raw, idx) => {
    const f = `rules[${idx}]`;
    if (!isObj(raw)) return fail(f, 'must be a mapping');
    if (typeof raw.id !== 'string' || !RULE_ID.test(raw.id))
      fail(`${f}.id`, 'must be a dotted lower-case id like "injection.ignore_instructions"');
    const id = raw.id as string;
    if (ids.has(id)) fail(`${f}.id`, `"${id}" is used twice`);
    ids.add(id);
    const subThreat = subThreatOf(raw.subThreat, `${f}.subThreat`);
    const severity = raw.severity === undefined ? subThreat.severity : num(raw.severity, `${f}.severity`, 0, 10);
    const confidence = raw.confidence === undefined ? 0.9 : num(raw.confidence, `${f}.confidence`, 0, 1);
    const kinds = (['match', 'all', 'regex'] as const).filter((k) => raw[k] !== undefined);
    if (kinds.length !== 1) fail(f, 'needs exactly one of match, all, regex');
    const kind = kinds[0];
    let groups: LangPattern[][] = [];
    let regex: RegExp[] = [];
    if (kind === 'match') groups = [langPatterns(raw.match, `${f}.match`)];
    if (kind === 'all') {
      if (!Array.isArray(raw.all) || raw.all.length < 2)
        fail(`${f}.all`, 'must be a list of at least two pattern groups');
      groups = (raw.all as unknown[]).map((g, j) => langPatterns(g, `${f}.all[${j}]`));
    }
    if (kind === 'regex') {
      regex = strList(raw.regex, `${f}.regex`).map((src, j) => {
        let re: RegExp;
        try {
          re = new RegExp(src, 'gu');
        } catch (e) {
          return fail(`${f}.regex[${j}]`, `bad regular expression: ${(e as Error).message}`);
        }
        return linearOrFail(re, `${f}.regex[${j}]`);
      });
    }
    if (raw.window !== undefined && kind !== 'all') fail(`${f}.window`, 'only applies to rules with all');
    const window = raw.window === undefined ? Infinity : num(raw.window, `${f}.window`, 1, 100000);
    const unless = raw.unless === undefined ? [] : langPatterns(raw.unless, `${f}.unless`);
    if (raw.certain !== undefined && typeof raw.certain !== 'boolean') fail(`${f}.certain`, 'must be true or false');
    const certain = raw.certain === undefined ? kind === 'regex' : (raw.certain as boolean);
    rules.push({ id, subThreat, severity, confidence, kind, groups, regex, window, unless, certain });
  });

  // Models.
  const models: ModelRef[] = [];
  if (doc.models !== undefined) {
    if (!isObj(doc.models)) fail('models', 'must be a mapping of model name to settings');
    for (const [name, raw] of Object.entries(doc.models as Obj)) {
      const f = `models.${name}`;
      if (!NAME.test(name)) fail(f, 'name must be snake_case');
      if (!isObj(raw)) return fail(f, 'must be a mapping');
      if (
        typeof raw.file !== 'string' ||
        !raw.file.endsWith('.json') ||
        path.isAbsolute(raw.file) ||
        raw.file.includes('..')
      ) {
        fail(`${f}.file`, 'must be a .json path relative to the config directory');
      }
      for (const key of Object.keys(raw)) if (key !== 'file') fail(`${f}.${key}`, 'unknown key');
      models.push({ name, file: raw.file as string });
    }
  }

  const trustedInSystem = new Set<string>();
  if (doc.systemMessages !== undefined) {
    const sm = doc.systemMessages;
    if (!isObj(sm)) return fail('systemMessages', 'must be a mapping');
    for (const key of Object.keys(sm)) if (key !== 'trusted') fail(`systemMessages.${key}`, 'unknown key');
    strList(sm.trusted ?? [], 'systemMessages.trusted').forEach((st, i) =>
      trustedInSystem.add(subThreatOf(st, `systemMessages.trusted[${i}]`).name),
    );
  }
  for (const key of Object.keys(doc)) {
    if (!['version', 'subThreats', 'vocab', 'rules', 'models', 'systemMessages'].includes(key))
      fail(key, 'unknown top-level key');
  }
  const vocab = new Map([...vocabRaw].map(([k, v]) => [k, v.entries]));
  return { subThreats, rules, models, lexicon, vocab, trustedInSystem, source };
}
