/**
 * The engine's corpus (data/corpus, see its README) and the shared benchmark files, read the same
 * way by `npm run train` and `npm run eval`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MessageRole } from '../src/engine/classifier/threat-model';

export const ROOT = path.resolve(__dirname, '..');
export const CORPUS_DIR = path.join(ROOT, 'data', 'corpus');
export const BENCHMARKS_DIR = process.env.BTV_BENCHMARKS_DIR
  ? path.resolve(process.env.BTV_BENCHMARKS_DIR)
  : path.resolve(ROOT, '..', 'shared', 'benchmarks');

export interface CorpusMessage {
  role: MessageRole;
  content: string;
}

export interface CorpusRow {
  id: string;
  messages: CorpusMessage[];
  attack: boolean;
  subThreat: string;
  language: string;
  kind: string;
  category: string;
  sector: string;
  /** Where the row comes from: a corpus file stem, or a shared benchmark file. */
  source: string;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool', 'context']);

function readJsonl(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`${file}:${i + 1}: not JSON`);
      }
    });
}

function corpusRow(o: Record<string, unknown>, source: string): CorpusRow {
  const messages: CorpusMessage[] = Array.isArray(o.messages)
    ? (o.messages as { role: string; content: string }[]).map((m) => {
        if (!ROLES.has(m.role)) throw new Error(`${source} ${o.id}: unknown role ${m.role}`);
        return { role: m.role as MessageRole, content: String(m.content) };
      })
    : [{ role: 'user', content: String(o.text) }];
  return {
    id: String(o.id),
    messages,
    attack: o.label === 1,
    subThreat: String(o.sub_threat ?? ''),
    language: String(o.language ?? ''),
    kind: String(o.kind ?? ''),
    category: String(o.category ?? ''),
    sector: String(o.sector ?? ''),
    source,
  };
}

/** Every row of data/corpus/<split>/*.jsonl, files in name order (BTV_CORPUS_EXCLUDE: a file-name prefix to leave out, for ablations). */
export function loadCorpus(split: 'train' | 'test'): CorpusRow[] {
  const dir = path.join(CORPUS_DIR, split);
  const exclude = process.env.BTV_CORPUS_EXCLUDE;
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl') && !(exclude && f.startsWith(exclude)))
    .sort()
    .flatMap((f) => readJsonl(path.join(dir, f)).map((o) => corpusRow(o, path.basename(f, '.jsonl'))));
}

/** The shared prompt-injection split as corpus rows (label 1 = injection; English). */
export function loadSharedInjections(split: 'train' | 'test'): CorpusRow[] {
  const file = path.join(BENCHMARKS_DIR, `prompt-injections-${split}.jsonl`);
  return readJsonl(file).map((o, i) => ({
    id: `shared-${split}-${i + 1}`,
    messages: [{ role: 'user' as const, content: String(o.text) }],
    attack: o.label === 1,
    subThreat: o.label === 1 ? 'prompt_injection' : '',
    language: 'en',
    kind: o.label === 1 ? 'attack' : 'benign',
    category: '',
    sector: '',
    source: `shared-injections-${split}`,
  }));
}

/** The shared sector simulations (label block = attack). */
export function loadSharedSectors(): CorpusRow[] {
  return readJsonl(path.join(BENCHMARKS_DIR, 'sector-simulations.jsonl')).map((o, i) => ({
    id: `sector-${i + 1}`,
    messages: [{ role: 'user' as const, content: String(o.prompt) }],
    attack: o.label === 'block',
    subThreat: '',
    language: 'en',
    kind: o.label === 'block' ? 'attack' : 'benign',
    category: '',
    sector: String(o.sector),
    source: 'shared-sectors',
  }));
}

/**
 * Which messages of an attack row carry the attack, for training a per-message model: the row's
 * label is about the whole request. Indirect injections sit in tool or context content; a system
 * prompt that orders the harm is the system message; otherwise the last user message.
 */
export function attackMessages(row: CorpusRow): number[] {
  const idx = (roles: MessageRole[]) =>
    row.messages.map((m, i) => (roles.includes(m.role) ? i : -1)).filter((i) => i >= 0);
  if (!row.attack) return [];
  if (row.category === 'indirect') {
    const untrusted = idx(['tool', 'context']);
    if (untrusted.length) return untrusted;
  }
  if (row.category === 'system_prompt') {
    const sys = idx(['system']);
    if (sys.length) return sys;
  }
  const users = idx(['user']);
  return users.length ? [users[users.length - 1]] : [row.messages.length - 1];
}
