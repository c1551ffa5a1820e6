/**
 * Runs every benchmark in bench/ and prints one table per benchmark.
 *
 *   npm run bench                 # all benchmarks
 *   npm run bench -- ledger       # only those whose name contains "ledger"
 *
 * A benchmark is any other bench/*.ts file exporting `benchmark: Benchmark`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Cell = string | number;

export interface BenchTable {
  title: string;
  columns: string[];
  rows: Cell[][];
  /** Printed under the table. */
  notes?: string[];
}

export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<BenchTable[]>;
}

const fmt = (c: Cell): string => {
  if (typeof c === 'string') return c;
  if (!Number.isFinite(c)) return '-';
  if (Number.isInteger(c)) return c.toLocaleString('en-US');
  return c.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
};

export function renderTable(t: BenchTable): string {
  const cells = t.rows.map((r) => r.map(fmt));
  const widths = t.columns.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = t.columns.map((_, i) => t.rows.every((r) => typeof r[i] === 'number'));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    t.title,
    line(t.columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
    ...(t.notes ?? []).map((n) => `  ${n}`),
  ].join('\n');
}

function discover(): Benchmark[] {
  const ext = path.extname(__filename);
  const self = path.basename(__filename);
  return fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(ext) && f !== self && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort()
    .map((f) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(__dirname, f)) as { benchmark?: Benchmark };
      return mod.benchmark;
    })
    .filter((b): b is Benchmark => !!b);
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const all = discover();
  const chosen = filters.length ? all.filter((b) => filters.some((f) => b.name.includes(f))) : all;
  if (chosen.length === 0) {
    process.stderr.write(
      `no benchmark matches ${filters.join(', ')}; there are: ${all.map((b) => b.name).join(', ')}\n`,
    );
    process.exit(2);
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`Node ${process.version}, ${os.cpus().length} x ${cpu}\n`);
  const started = Date.now();
  for (const b of chosen) {
    process.stdout.write(`\n== ${b.name}: ${b.description}\n`);
    const t0 = Date.now();
    for (const table of await b.run()) process.stdout.write('\n' + renderTable(table) + '\n');
    process.stdout.write(`\n(${b.name} took ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  process.stdout.write(`\nall benchmarks took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`benchmark failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
