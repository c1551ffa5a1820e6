/**
 * Text normalisation for the threat classifier.
 *
 * One input gives several views, each built once per call:
 *   clean     NFKC, invisible / bidi / format characters removed, case kept
 *             (secret formats and base64 are searched here)
 *   unfolded  clean, lower-cased, look-alike Cyrillic/Greek letters mapped to Latin; accents kept
 *   main      unfolded with accents folded and every run of non-letters/digits turned into one
 *             space, framed by spaces: " ignore all previous instructions "
 *   deobf     main after undoing letter spacing ("i g n o r e"), punctuation inside words
 *             ("ig.nore"), and leetspeak ("1gn0r3"); only set when it differs from main, so
 *             numbers in ordinary text are never rewritten in the view that most rules see
 *
 * Rules match whole tokens of main/deobf (never substrings), so "triage" never contains "age".
 */

/** Zero-width, bidi, soft hyphen, variation selectors, tag characters, fillers. */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}+/gu;
/** Control characters other than tab / newline / carriage return. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+/g;
const NON_ASCII = /[^\u0000-\u007F]/;

/** Look-alike letters (lower case) of other scripts, mapped to the Latin letter they imitate. */
const HOMOGLYPHS: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  һ: 'h',
  ү: 'y',
  ɡ: 'g',
  // Greek
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ϲ: 'c',
  ϳ: 'j',
  // Latin small capitals and other look-alikes NFKC leaves alone
  ᴀ: 'a',
  ʙ: 'b',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ɢ: 'g',
  ʜ: 'h',
  ɪ: 'i',
  ᴊ: 'j',
  ᴋ: 'k',
  ʟ: 'l',
  ᴍ: 'm',
  ɴ: 'n',
  ᴏ: 'o',
  ᴘ: 'p',
  ʀ: 'r',
  ꜱ: 's',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ʏ: 'y',
  ᴢ: 'z',
  ı: 'i',
  ȷ: 'j',
};
const CONFUSABLE_SCRIPT = /[\u0370-\u03FF\u0400-\u052F\u1D00-\u1D2B\u0250-\u02AF\uA730-\uA7FF\u0131\u0237]/;
const HOMOGLYPH_CHARS = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'gu');
/** A word mixing Latin letters with Cyrillic/Greek ones. */
const WORD = /[\p{L}\p{N}]+/gu;

/** Letters folding to more than one letter, or not decomposed by NFD. */
const SPECIAL_FOLD: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ł: 'l',
  þ: 'th',
  ð: 'd',
  ħ: 'h',
};
const SPECIAL_FOLD_CHARS = new RegExp(`[${Object.keys(SPECIAL_FOLD).join('')}]`, 'g');
const MARKS = /\p{M}+/gu;

const NON_WORD = /[^\p{L}\p{N}]+/gu;

/** Single letters separated by one space or one punctuation mark: "i g n o r e", "i.g.n.o.r.e". */
const SPACED_RUN = /(?<![\p{L}\p{N}@$])[\p{L}\p{N}@$](?:[ ._*\-][\p{L}\p{N}@$]){2,}(?![\p{L}\p{N}@$])/gu;
const SPACED_SEP = /[ ._*\-]/g;
/** Punctuation inside a word: "ig.nore", "dis-regard", "pr_ompt", "sys*tem". */
const INNER_PUNCT = /(?<=[\p{L}\p{N}])[.\-_*'’`´·•~^+\\/]+(?=[\p{L}\p{N}])/gu;
/** A word that may carry leetspeak: letters, digits and the usual stand-ins. */
const LEET_WORD = /[\p{L}\p{N}@$!|]+/gu;
const HAS_LEET = /[0-9@$!|]/;
const HAS_LETTER = /\p{L}/u;
/** The same for lower-case ASCII text (the common case, much faster than the Unicode classes). */
const SPACED_RUN_ASCII = /(?<![a-z0-9@$])[a-z0-9@$](?:[ ._*\-][a-z0-9@$]){2,}(?![a-z0-9@$])/g;
const INNER_PUNCT_ASCII = /(?<=[a-z0-9])[.\-_*'`~^+\\/]+(?=[a-z0-9])/g;
/** Only the ASCII words that carry a leetspeak character (the others need no callback). */
const LEET_WORD_ASCII = /(?<![a-z0-9@$!|])[a-z0-9@$!|]*[0-9@$!|][a-z0-9@$!|]*/g;
const HAS_LETTER_ASCII = /[a-z]/;
const LEET: Record<string, string> = {
  '0': 'o',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '6': 'g',
};

export interface Views {
  clean: string;
  unfolded: string;
  main: string;
  deobf?: string;
}

/** Knows which words the rules use: resolves "1" (i or l) in leetspeak and splits de-spaced runs into words. */
export interface Lexicon {
  has(word: string): boolean;
  /** Longest word length in the lexicon. */
  readonly maxLength: number;
}

function mapHomoglyphs(lower: string): string {
  if (!CONFUSABLE_SCRIPT.test(lower)) return lower;
  // Counted in a loop: match() would build an array of every letter of a long prompt.
  let latin = 0;
  let other = 0;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c >= 97 && c <= 122) latin++;
    else if (c >= 0x370 && c <= 0x52f) other++;
  }
  if (latin >= other) return lower.replace(HOMOGLYPH_CHARS, (c) => HOMOGLYPHS[c]);
  // Mostly Cyrillic/Greek text: only words that mix scripts are disguised Latin words.
  return lower.replace(WORD, (w) =>
    /[a-z]/.test(w) && /[\u0370-\u03FF\u0400-\u052F\u1D00-\u1D2B]/.test(w)
      ? w.replace(HOMOGLYPH_CHARS, (c) => HOMOGLYPHS[c])
      : w,
  );
}

/** Folds accents and special letters: "esqueça" → "esqueca", "Straße" → "strasse". */
export function foldAccents(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  return s
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(SPECIAL_FOLD_CHARS, (c) => SPECIAL_FOLD[c]);
}

/** Lower-cased, accent-folded words of s joined by single spaces, framed by spaces. */
export function tokenView(folded: string): string {
  if (!NON_ASCII.test(folded)) return asciiTokenView(folded);
  const t = folded.replace(NON_WORD, ' ').trim();
  return t ? ` ${t} ` : ' ';
}

// Scratch space of asciiTokenView: a byte loop is several times faster than replace() on the
// hot path, and one buffer serves every call because classify() is synchronous.
// Never grown: a longer text gets a buffer of its own, so one huge prompt does not pin memory.
const scratch = Buffer.alloc(8192);

const isAsciiWordChar = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/** tokenView of lower-case ASCII text. */
function asciiTokenView(s: string): string {
  const out = s.length + 2 <= scratch.length ? scratch : Buffer.allocUnsafe(s.length + 2);
  let n = 0;
  out[n++] = 32;
  let afterSpace = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isAsciiWordChar(c)) {
      out[n++] = c;
      afterSpace = false;
    } else if (!afterSpace) {
      out[n++] = 32;
      afterSpace = true;
    }
  }
  if (!afterSpace) out[n++] = 32;
  return out.toString('latin1', 0, n);
}

// Character classes of lower-case ASCII for mayBeObfuscatedAscii, one table lookup per character.
const LETTER = 1;
const LEETISH = 2; // 0-9 @ $ ! |
const LONE = 4; // what a letter-spacing run is made of: a-z 0-9 @ $
const SEP = 8; // what separates the letters of such a run: space . _ * -
const PUNCT = 16; // what may sit inside a word: . - _ * ' ` ~ ^ + \ /
const WORDCH = 32; // a-z 0-9
const CLASS = new Uint8Array(128);
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER | LONE | WORDCH;
for (let c = 48; c <= 57; c++) CLASS[c] = LEETISH | LONE | WORDCH;
for (const ch of '@$') CLASS[ch.charCodeAt(0)] |= LEETISH | LONE;
for (const ch of '!|') CLASS[ch.charCodeAt(0)] |= LEETISH;
for (const ch of ' ._*-') CLASS[ch.charCodeAt(0)] |= SEP;
for (const ch of ".-_*'`~^+\\/") CLASS[ch.charCodeAt(0)] |= PUNCT;

/**
 * Whether deobfuscate() could change lower-case ASCII text: a letter beside a leetspeak character,
 * punctuation between two letters or digits, or two lone characters one separator apart. Errs on
 * the side of yes; when it says no, deobfuscate() returns the text unchanged.
 */
export function mayBeObfuscatedAscii(s: string): boolean {
  const n = s.length;
  let prev = 0; // class of s[i - 1]
  let cur = n > 0 ? CLASS[s.charCodeAt(0)] : 0;
  let loneEnd = -2; // one past the last lone character
  for (let i = 0; i < n; i++) {
    const next = i + 1 < n ? CLASS[s.charCodeAt(i + 1)] : 0;
    if ((cur & LETTER && next & LEETISH && !(next & LETTER)) || (cur & LEETISH && next & LETTER)) return true;
    if (cur & PUNCT && prev & WORDCH) {
      let j = i + 1;
      while (j < n && CLASS[s.charCodeAt(j)] & PUNCT) j++;
      if (j < n && CLASS[s.charCodeAt(j)] & WORDCH) return true;
    }
    if (cur & LONE && !(prev & LONE) && !(next & LONE)) {
      if (loneEnd === i - 1 && prev & SEP) return true;
      loneEnd = i + 1;
    }
    prev = cur;
    cur = next;
  }
  return false;
}

/** The clean view: NFKC, no invisible or control characters, case kept. */
export function cleanText(text: string): string {
  const nfkc = NON_ASCII.test(text) ? text.normalize('NFKC').replace(INVISIBLE, '') : text;
  return nfkc.replace(CONTROL, ' ');
}

/** Builds every view of text. lexicon resolves ambiguous leetspeak and splits de-spaced runs. */
export function normalize(text: string, lexicon?: Lexicon): Views {
  const clean = cleanText(text);
  if (!NON_ASCII.test(clean)) {
    // ASCII text: nothing to map or fold, and usually nothing to undo.
    const lower = clean.toLowerCase();
    const main = asciiTokenView(lower);
    if (!mayBeObfuscatedAscii(lower)) return { clean, unfolded: lower, main };
    const deobf = tokenView(deobfuscate(lower, lexicon));
    return deobf === main ? { clean, unfolded: lower, main } : { clean, unfolded: lower, main, deobf };
  }
  const unfolded = mapHomoglyphs(clean.toLowerCase());
  const folded = foldAccents(unfolded);
  const main = tokenView(folded);
  const deobf = tokenView(deobfuscate(folded, lexicon));
  return deobf === main ? { clean, unfolded, main } : { clean, unfolded, main, deobf };
}

/** Undoes letter spacing, punctuation inside words and leetspeak (in that order). */
export function deobfuscate(folded: string, lexicon?: Lexicon): string {
  const ascii = !NON_ASCII.test(folded);
  let s = folded.replace(ascii ? SPACED_RUN_ASCII : SPACED_RUN, (run) => {
    const joined = run.replace(SPACED_SEP, '');
    return joined.length >= 8 && lexicon ? segment(deleetWord(joined, lexicon), lexicon) : joined;
  });
  s = s.replace(ascii ? INNER_PUNCT_ASCII : INNER_PUNCT, '');
  if (!HAS_LEET.test(s)) return s;
  if (ascii) return s.replace(LEET_WORD_ASCII, (w) => (HAS_LETTER_ASCII.test(w) ? deleetWord(w, lexicon) : w));
  return s.replace(LEET_WORD, (w) => (HAS_LEET.test(w) && HAS_LETTER.test(w) ? deleetWord(w, lexicon) : w));
}

/** LEET by character code (0: not a stand-in), for the ASCII loop of deleetWord. */
const LEET_CODE = new Uint8Array(128);
for (const [k, v] of Object.entries(LEET)) LEET_CODE[k.charCodeAt(0)] = v.charCodeAt(0);
const leetScratch = Buffer.alloc(256);

function deleetWord(w: string, lexicon?: Lexicon): string {
  // Strip leading and trailing ! and | (ASCII fast path; other text takes the general one).
  let from = 0;
  let to = w.length;
  while (from < to && (w.charCodeAt(from) === 33 || w.charCodeAt(from) === 124)) from++;
  while (to > from && (w.charCodeAt(to - 1) === 33 || w.charCodeAt(to - 1) === 124)) to--;
  const out = to - from <= leetScratch.length ? leetScratch : Buffer.allocUnsafe(to - from);
  let leet = false;
  let ones = false; // "1" and "|" read as i or l
  for (let i = from; i < to; i++) {
    const c = w.charCodeAt(i);
    if (c >= 128) return deleetWordGeneral(w, lexicon);
    const m = LEET_CODE[c];
    if (m || c === 50)
      leet = true; // "2" stands for nothing but still marks a leetspeak word
    else if (c === 49 || c === 124) {
      leet = true;
      ones = true;
    }
    out[i - from] = m || c;
  }
  if (!leet) return w;
  const n = to - from;
  if (!ones) return out.toString('latin1', 0, n);
  const fill = (letter: number) => {
    for (let i = from; i < to; i++) {
      const c = w.charCodeAt(i);
      if (c === 49 || c === 124) out[i - from] = letter;
    }
    return out.toString('latin1', 0, n);
  };
  const asI = fill(105);
  if (!lexicon || lexicon.has(asI)) return asI;
  const asL = fill(108);
  return lexicon.has(asL) ? asL : asI;
}

function deleetWordGeneral(w: string, lexicon?: Lexicon): string {
  const core = w.replace(/^[!|]+|[!|]+$/g, '');
  if (!HAS_LEET.test(core)) return w;
  let base = '';
  for (const ch of core) base += LEET[ch] ?? ch;
  if (!/[1|]/.test(base)) return base;
  const asI = base.replace(/[1|]/g, 'i');
  if (!lexicon || lexicon.has(asI)) return asI;
  const asL = base.replace(/[1|]/g, 'l');
  return lexicon.has(asL) ? asL : asI;
}

/**
 * Splits a run of letters that lost its spaces ("ignoreallpreviousinstructions") into lexicon
 * words, fewest unknown letters first, then fewest words. Unknown stretches stay whole.
 */
export function segment(run: string, lexicon: Lexicon): string {
  const n = run.length;
  if (n > 200) return run;
  const cost = new Array<number>(n + 1).fill(Infinity);
  const back = new Array<number>(n + 1).fill(-1);
  const known = new Array<boolean>(n + 1).fill(false);
  cost[0] = 0;
  for (let i = 0; i < n; i++) {
    if (cost[i] === Infinity) continue;
    // one unknown letter
    if (cost[i] + 10 < cost[i + 1]) {
      cost[i + 1] = cost[i] + 10;
      back[i + 1] = i;
      known[i + 1] = false;
    }
    const max = Math.min(n, i + lexicon.maxLength);
    for (let j = i + 2; j <= max; j++) {
      if (cost[i] + 1 < cost[j] && lexicon.has(run.slice(i, j))) {
        cost[j] = cost[i] + 1;
        back[j] = i;
        known[j] = true;
      }
    }
  }
  const parts: string[] = [];
  let unknown = '';
  for (let j = n; j > 0; j = back[j]) {
    const piece = run.slice(back[j], j);
    if (known[j]) {
      if (unknown) parts.push(unknown);
      unknown = '';
      parts.push(piece);
    } else {
      unknown = piece + unknown;
    }
  }
  if (unknown) parts.push(unknown);
  return parts.reverse().join(' ');
}
