import type { ChildProcess, ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import * as path from 'node:path';

import { projectRoot } from '../../src/paths';

const ROOT = projectRoot();
const COMPILED = __filename.endsWith('.js');

/**
 * Node arguments that run a TypeScript entry point of the repository (path from the root): its
 * build in dist/ when this code is itself compiled (the benchmarks), else the source through tsx.
 */
export function entryArgs(file: string): string[] {
  return COMPILED
    ? [path.join(ROOT, 'dist', file.replace(/\.ts$/, '.js'))]
    : ['--import', 'tsx', path.join(ROOT, file)];
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Suites make hundreds of calls per tenant within a minute: their servers get quotas they cannot
 * reach. The rate-limit suite sets its own (an empty value means the default).
 */
export const UNLIMITED = {
  BTV_RATE_LIMIT_TENANTS: '1000000000',
  BTV_RATE_LIMIT_SYSTEMS: '1000000000',
  BTV_RATE_LIMIT_ENFORCE: '1000000000',
  BTV_RATE_LIMIT_AUDIT: '1000000000',
  BTV_RATE_LIMIT_OPERATIONS: '1000000000',
};

/**
 * `src/main.ts` as its own process, with only PATH and the given environment, on a free port;
 * `wrap` runs it under another command (strace, a shell that sets the umask).
 */
function spawnMain(env: Record<string, string>, wrap: string[] = []): ChildProcessByStdio<null, Readable, Readable> {
  const [cmd, ...args] = [...wrap, process.execPath, ...entryArgs('src/main.ts')];
  return spawn(cmd, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', BTV_HOST: '127.0.0.1', BTV_PORT: '0', ...UNLIMITED, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts `src/main.ts` as its own process (like `npm start`) and waits for its "listening" log line. */
export function spawnServer(
  env: Record<string, string>,
  timeoutMs = 30_000,
  wrap: string[] = [],
): Promise<ServerProcess> {
  const child = spawnMain(env, wrap);
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), stdout: () => out, stderr: () => err, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}

/** Runs the server expecting it to refuse to start; resolves with exit code and output. */
export function runToExit(
  env: Record<string, string>,
  wrap: string[] = [],
): Promise<{ code: number | null; output: string }> {
  const child = spawnMain(env, wrap);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/btv` as its own process, with only the environment given (plus PATH). */
export function btv(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/btv'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
