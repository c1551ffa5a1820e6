/**
 * Drives a client library in another language through its test agent: one JSON command a line
 * on stdin, one JSON answer a line on stdout, in order (test/clients/agents/README.md). The test
 * logic lives once, here and in libraries.test.ts; each agent only maps commands to its library.
 */
import type { ChildProcessByStdio} from 'node:child_process';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface Answer {
  ok: boolean;
  [k: string]: unknown;
}

export class Agent {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private buffer = '';
  private stderr = '';
  private readonly waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void }[] = [];
  private exited?: string;

  constructor(readonly label: string, cmd: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => this.onData(d));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    const fail = (why: string) => {
      this.exited = why;
      for (const w of this.waiting.splice(0)) w.reject(new Error(`${label} agent ${why}\n--- stderr ---\n${this.stderr}`));
    };
    this.child.on('error', (e) => fail(`could not start: ${e.message}`));
    this.child.on('exit', (code, signal) => fail(`exited with ${signal ?? code}`));
  }

  private onData(d: string): void {
    this.buffer += d;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      const w = this.waiting.shift();
      if (!w) continue;
      try {
        w.resolve(JSON.parse(line) as Answer);
      } catch {
        w.reject(new Error(`${this.label} agent wrote a line that is not JSON: ${line}`));
      }
    }
  }

  /** Sends a command; resolves with its answer. */
  send(cmd: Record<string, unknown>, timeoutMs = 30_000): Promise<Answer> {
    if (this.exited) return Promise.reject(new Error(`${this.label} agent ${this.exited}\n--- stderr ---\n${this.stderr}`));
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label} agent did not answer ${JSON.stringify(cmd)} in ${timeoutMs} ms\n--- stderr ---\n${this.stderr}`)), timeoutMs);
      this.waiting.push({
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
    });
  }

  get log(): string {
    return this.stderr;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}
