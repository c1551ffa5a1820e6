import { RegExpParser } from '@eslint-community/regexpp';
import { analyse } from 'scslre';

const parser = new RegExpParser({ ecmaVersion: 2024 });
/** Compiled token patterns repeat across languages and rules: analyse each source once per process. */
const verdicts = new Map<string, string | undefined>();

/**
 * Why a regular expression can take more than linear time in its input, or undefined when it
 * cannot: a backtracking engine then spends quadratic (or exponential) time on a string that
 * repeats one character, e.g. `(?:^|\n)\s*#` on 100,000 newlines. Found statically with scslre,
 * the analysis eslint-plugin-regexp runs: every rule pattern is checked when the configuration is
 * loaded, and one that is not linear stops the server from starting.
 */
export function superLinear(re: RegExp): string | undefined {
  const key = `/${re.source}/${re.flags}`;
  if (verdicts.has(key)) return verdicts.get(key);
  let verdict: string | undefined;
  try {
    const literal = parser.parseLiteral(key);
    const report = analyse(literal, {
      reportTypes: { Move: true, Self: true, Trade: true },
      assumeRejectingSuffix: true,
    }).reports[0];
    if (report) {
      const what = report.exponential ? 'exponential' : 'polynomial';
      const char = report.character?.literal?.source;
      verdict = `${what} backtracking (${report.type.toLowerCase()}) on input that repeats ${char ? JSON.stringify(char) : 'one character'}`;
    }
  } catch (e) {
    verdict = `cannot be analysed: ${(e as Error).message}`;
  }
  verdicts.set(key, verdict);
  return verdict;
}
