/**
 * The rule pattern language (documented in docs/classifier.md).
 *
 * Patterns match whole words of a token view (" w1 w2 w3 ", see normalize.ts):
 *   word        that word; accents and case in the pattern are folded like the text
 *   word*       any word starting with "word" (at least 3 letters before the *)
 *   (a|b c)     alternatives, each a sequence
 *   x?          x is optional (x: a word, a group, a reference)
 *   @name       a vocabulary list (per language, then "common")
 *   ~N          up to N arbitrary words (N <= 8)
 *   {regex}     one word matching the regular expression, e.g. {\d\d}
 * A pattern is compiled once into one regular expression; its possible first words are its
 * anchors, which let the classifier skip patterns whose first word is not in the text.
 */
import { foldAccents, tokenView } from './normalize';

export type Node =
  | { k: 'word'; w: string; prefix: boolean }
  | { k: 'seq'; items: Node[] }
  | { k: 'alt'; alts: Node[] }
  | { k: 'opt'; x: Node }
  | { k: 'gap'; n: number }
  | { k: 're'; src: string };

export class PatternError extends Error {}

/** Resolves @name references to their (already parsed) alternatives. */
export type Resolver = (name: string) => Node;

const WORD_CHAR = /[\p{L}\p{N}'’\-.]/u;

export function parsePattern(src: string, resolve: Resolver): Node {
  let i = 0;
  const fail = (msg: string): never => {
    throw new PatternError(`${msg} at position ${i} of "${src}"`);
  };
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };

  function parseSeq(stop: string): Node {
    const items: Node[] = [];
    for (;;) {
      skipSpace();
      if (i >= src.length || stop.includes(src[i])) break;
      let item = parseItem();
      if (src[i] === '?') {
        i++;
        item = { k: 'opt', x: item };
      }
      items.push(item);
    }
    if (items.length === 0) fail('empty sequence');
    return items.length === 1 ? items[0] : { k: 'seq', items };
  }

  function parseAlt(): Node {
    const alts = [parseSeq('|)')];
    while (src[i] === '|') {
      i++;
      alts.push(parseSeq('|)'));
    }
    return alts.length === 1 ? alts[0] : { k: 'alt', alts };
  }

  function parseItem(): Node {
    const c = src[i];
    if (c === '(') {
      i++;
      const inner = parseAlt();
      if (src[i] !== ')') fail('missing )');
      i++;
      return inner;
    }
    if (c === '@') {
      i++;
      const start = i;
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i])) i++;
      if (i === start) fail('missing name after @');
      return resolve(src.slice(start, i));
    }
    if (c === '~') {
      i++;
      const start = i;
      while (i < src.length && /[0-9]/.test(src[i])) i++;
      const n = Number(src.slice(start, i));
      if (!(n >= 1 && n <= 8)) fail('~N needs 1 <= N <= 8');
      return { k: 'gap', n };
    }
    if (c === '{') {
      let depth = 0;
      const start = i + 1;
      for (; i < src.length; i++) {
        if (src[i] === '\\') {
          i++;
          continue;
        }
        if (src[i] === '{') depth++;
        else if (src[i] === '}' && --depth === 0) break;
      }
      if (i >= src.length) fail('missing }');
      const re = src.slice(start, i);
      i++;
      try {
        new RegExp(re, 'u');
      } catch (e) {
        fail(`bad regular expression {${re}}: ${(e as Error).message}`);
      }
      return { k: 're', src: re };
    }
    const start = i;
    while (i < src.length && WORD_CHAR.test(src[i])) i++;
    if (i === start) fail(`unexpected "${c}"`);
    let raw = src.slice(start, i);
    let prefix = false;
    if (src[i] === '*') {
      i++;
      prefix = true;
    }
    // Fold the literal exactly as the text is folded; punctuation splits it into several words.
    raw = tokenView(foldAccents(raw.toLowerCase())).trim();
    const words = raw ? raw.split(' ') : [];
    if (words.length === 0) fail(`"${src.slice(start, i)}" has no letters`);
    if (prefix && words[words.length - 1].length < 3) fail('a prefix needs at least 3 letters before *');
    const nodes: Node[] = words.map((w, j) => ({ k: 'word', w, prefix: prefix && j === words.length - 1 }));
    return nodes.length === 1 ? nodes[0] : { k: 'seq', items: nodes };
  }

  const node = parseAlt();
  if (i < src.length) fail(`unexpected "${src[i]}"`);
  return node;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Regular expression source; every word is preceded by its space. */
export function compileNode(n: Node): string {
  switch (n.k) {
    case 'word':
      return ` ${esc(n.w)}${n.prefix ? '[^ ]*' : ''}`;
    case 'seq':
      return n.items.map(compileNode).join('');
    case 'alt':
      return `(?:${n.alts.map(compileNode).join('|')})`;
    case 'opt':
      return `(?:${compileNode(n.x)})?`;
    case 'gap':
      return `(?: [^ ]+){0,${n.n}}`;
    case 're':
      return ` (?:${n.src})(?= )`;
  }
}

/** Words (exact, or by prefix from word*). */
export interface WordSet {
  words: Set<string>;
  prefixes: Set<string>;
}

/** A compiled pattern: regex over a token view plus the words it can start with. */
export interface Compiled {
  re: RegExp;
  /** Exact first words; undefined when the pattern can start with any word. */
  words?: Set<string>;
  /** First-word prefixes (from word*). */
  prefixes?: Set<string>;
  /**
   * Word sets a text must draw at least one word from each for the pattern to match: a necessary
   * condition, checked with a lookup per word of the text before the expression runs at all.
   */
  requires: WordSet[];
}

interface First {
  words: Set<string>;
  prefixes: Set<string>;
  any: boolean;
  nullable: boolean;
}

function first(n: Node): First {
  switch (n.k) {
    case 'word':
      return n.prefix
        ? { words: new Set(), prefixes: new Set([n.w]), any: false, nullable: false }
        : { words: new Set([n.w]), prefixes: new Set(), any: false, nullable: false };
    case 'gap':
      return { words: new Set(), prefixes: new Set(), any: false, nullable: true };
    case 're':
      return { words: new Set(), prefixes: new Set(), any: true, nullable: false };
    case 'opt':
      return { ...first(n.x), nullable: true };
    case 'alt': {
      const out: First = { words: new Set(), prefixes: new Set(), any: false, nullable: false };
      for (const a of n.alts) merge(out, first(a), true);
      return out;
    }
    case 'seq': {
      const out: First = { words: new Set(), prefixes: new Set(), any: false, nullable: true };
      for (const item of n.items) {
        if (item.k === 'gap') {
          out.any = true; // a leading gap makes any word a possible start
          continue;
        }
        const f = first(item);
        merge(out, f, false);
        if (!f.nullable) {
          out.nullable = false;
          break;
        }
      }
      return out;
    }
  }
}

function merge(into: First, f: First, alt: boolean) {
  f.words.forEach((w) => into.words.add(w));
  f.prefixes.forEach((w) => into.prefixes.add(w));
  into.any ||= f.any;
  if (alt) into.nullable ||= f.nullable;
}

/** One word set per part of the top-level sequence that cannot be skipped (see Compiled.requires). */
function requiredSets(n: Node, out: WordSet[] = []): WordSet[] {
  if (n.k === 'seq') {
    n.items.forEach((item) => requiredSets(item, out));
    return out;
  }
  if (n.k === 'gap' || n.k === 'opt' || n.k === 're') return out;
  const f = first(n);
  if (!f.any && !f.nullable) out.push({ words: f.words, prefixes: f.prefixes });
  return out;
}

export function compilePattern(n: Node): Compiled {
  const f = first(n);
  const re = new RegExp(`${compileNode(n)}(?= )`, 'g');
  const requires = requiredSets(n);
  if (f.any || f.nullable) return { re, requires };
  return { re, words: f.words, prefixes: f.prefixes, requires };
}

/** Every literal word of a node (for the leetspeak / segmentation lexicon). */
export function literalWords(n: Node, out: Set<string>): void {
  switch (n.k) {
    case 'word':
      out.add(n.w);
      break;
    case 'seq':
      n.items.forEach((x) => literalWords(x, out));
      break;
    case 'alt':
      n.alts.forEach((x) => literalWords(x, out));
      break;
    case 'opt':
      literalWords(n.x, out);
      break;
  }
}
