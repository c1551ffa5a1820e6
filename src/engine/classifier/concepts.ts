import { createHash } from 'node:crypto';
import { foldAccents } from './normalize';

/**
 * The vocabulary lists of threats.yaml as concepts for the learned model: every single word
 * (or word* prefix) of a list maps to the list's name, whatever the language, so "vergiss",
 * "oublie" and "forget" all say ignore_v, and "deny" or "rejeite" say adverse. The model learns
 * weights for concepts and concept pairs, which carry across languages and phrasings that a word
 * n-gram never saw.
 */
export interface ConceptIndex {
  /** Concept ids of a word of a token view, or undefined. */
  of(word: string): readonly number[] | undefined;
  readonly names: readonly string[];
  /** Identifies the vocabulary: a model trained on another one must not be loaded. */
  readonly sha256: string;
}

const MAX_PREFIX = 24;

export function buildConcepts(lists: Map<string, string[]>): ConceptIndex {
  const names = [...new Set([...lists.keys()].map((k) => k.split(':')[1]))].sort();
  const id = new Map(names.map((n, i) => [n, i]));
  const words = new Map<string, Set<number>>();
  const prefixes = new Map<string, Set<number>>();
  const hash = createHash('sha256');
  for (const key of [...lists.keys()].sort()) {
    const concept = id.get(key.split(':')[1])!;
    for (const raw of lists.get(key)!) {
      const e = foldAccents(raw.toLowerCase());
      const m = /^([a-z0-9]+)(\*?)$/.exec(e);
      if (!m || (m[2] && m[1].length > MAX_PREFIX)) continue; // phrases and patterns stay with the rules
      const target = m[2] ? prefixes : words;
      let set = target.get(m[1]);
      if (!set) target.set(m[1], (set = new Set()));
      set.add(concept);
      hash.update(`${key}\0${e}\n`);
    }
  }
  const cache = new Map<string, readonly number[] | undefined>();
  const of = (word: string): readonly number[] | undefined => {
    if (cache.has(word)) return cache.get(word);
    const found = new Set<number>(words.get(word) ?? []);
    for (let n = 3; n <= Math.min(word.length, MAX_PREFIX); n++)
      for (const c of prefixes.get(word.slice(0, n)) ?? []) found.add(c);
    const out = found.size ? [...found].sort((a, b) => a - b) : undefined;
    if (word.length <= 32 && cache.size < 50_000) cache.set(word.slice(), out);
    return out;
  };
  return { of, names, sha256: hash.digest('hex') };
}
