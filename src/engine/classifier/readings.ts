/**
 * Other readings of a text that hides its words: hex-encoded bytes, text written backwards, ROT13.
 * Each reading that turns into language is classified like the text itself (as base64 payloads
 * are), so "snoitcurtsni suoiverp lla erongi" is read as what it says. Exact decodings, not
 * guesses: a reading counts only when it holds more of the rules' words than the text as written.
 */
import type { Lexicon } from './normalize';

export interface Reading {
  kind: 'hex' | 'reversed' | 'rot13';
  text: string;
}

const MIN_WORDS = 3;
const MIN_HEX_BYTES = 8;

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/**
 * Runs of hex byte pairs (8 bytes or more), the pairs written together or separated by one space,
 * colon or "\x" ("49676e", "49 67 6e", "\x49\x67"): the digits of each run, found in one pass.
 */
function hexRuns(s: string): string[] {
  const runs: string[] = [];
  let digits = '';
  let i = 0;
  const flush = () => {
    if (digits.length >= MIN_HEX_BYTES * 2) runs.push(digits);
    digits = '';
  };
  while (i < s.length) {
    if (isHex(s.charCodeAt(i)) && i + 1 < s.length && isHex(s.charCodeAt(i + 1))) {
      digits += s[i] + s[i + 1];
      i += 2;
      // one separator may follow a pair, if another pair comes after it
      if (s[i] === ' ' || s[i] === ':') {
        if (i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) i++;
      } else if (s[i] === '\\' && s[i + 1] === 'x') i += 2;
      continue;
    }
    if (s[i] === '\\' && s[i + 1] === 'x') {
      i += 2;
      continue;
    }
    flush();
    i++;
  }
  flush();
  return runs;
}

function lexiconWords(view: string, lexicon: Lexicon): number {
  let n = 0;
  for (const w of view.split(' ')) if (w.length >= 3 && lexicon.has(w)) n++;
  return n;
}

function rot13(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(((c - 97 + 13) % 26) + 97);
    else if (c >= 65 && c <= 90) out += String.fromCharCode(((c - 65 + 13) % 26) + 65);
    else out += s[i];
  }
  return out;
}

function printable(text: string): boolean {
  if (text.length < 6) return false;
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) return false;
    if ((c | 32) >= 97 && (c | 32) <= 122) letters++;
    else if (c === 32) letters++;
  }
  return letters / text.length >= 0.7;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Readings of a message: clean is its cleaned text (case kept), main its token view (" w1 w2 ").
 * Cheap when there is nothing to read: a token view that already holds enough of the rules' words
 * is language, and only a hex run is looked for.
 */
export function alternativeReadings(clean: string, main: string, lexicon: Lexicon): Reading[] {
  const out: Reading[] = [];
  if (clean.length >= MIN_HEX_BYTES * 2) {
    for (const digits of hexRuns(clean)) {
      try {
        const text = utf8.decode(Buffer.from(digits, 'hex'));
        if (printable(text)) out.push({ kind: 'hex', text });
      } catch {
        // not UTF-8 text
      }
      if (out.length >= 4) break;
    }
  }
  const forward = lexiconWords(main, lexicon);
  if (forward >= MIN_WORDS || main.length < 12) return out;
  const reversed = [...clean].reverse().join('');
  if (lexiconWords([...main].reverse().join(''), lexicon) >= Math.max(MIN_WORDS, forward + 2))
    out.push({ kind: 'reversed', text: reversed });
  const r13 = rot13(clean);
  if (lexiconWords(rot13(main), lexicon) >= Math.max(MIN_WORDS, forward + 2)) out.push({ kind: 'rot13', text: r13 });
  return out;
}
