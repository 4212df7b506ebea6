/**
 * `brushwatch run` as a real OS process, for crash and restart tests: start it, wait until it
 * is ready, SIGTERM or SIGKILL it, start it again with the same settings. Every process started
 * here is tracked, and `stopAllServices()` (call it in `after`) kills whatever is still running,
 * so a failed test never leaves a service behind. Read outputs with `readTopic` from `kafka.ts`
 * (read_committed by default).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './timeout.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const entry = fileURLToPath(new URL('../../../bin/brushwatch.js', import.meta.url));

/** How much of a process's output is kept for diagnosis (the tail). */
const OUTPUT_LIMIT = 256 * 1024;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceOptions {
  /** Extra arguments after `run`. */
  readonly args?: readonly string[];
  /** Settings as BRUSHWATCH_… variables, on top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Port of /livez /readyz /metrics; `ready()` needs it. Use `freePort()`. */
  readonly httpPort?: number;
}

const running = new Set<ServiceProcess>();

export class ServiceProcess {
  readonly options: ServiceOptions;
  readonly child: ChildProcess;
  /** Settles when the process has exited, whatever the reason. Never rejects. */
  readonly exited: Promise<Exit>;
  #output = '';
  #done = false;

  private constructor(options: ServiceOptions) {
    this.options = options;
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    if (options.httpPort !== undefined) env['BRUSHWATCH_HTTP_PORT'] = String(options.httpPort);
    this.child = spawn(process.execPath, [entry, 'run', ...(options.args ?? [])], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.#output += chunk.toString('utf8');
      if (this.#output.length > OUTPUT_LIMIT) this.#output = this.#output.slice(-OUTPUT_LIMIT / 2);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.#done = true;
        running.delete(this);
        resolve({ code, signal });
      });
      // A spawn failure emits 'error' and maybe no 'exit'.
      this.child.once('error', (err) => {
        keep(Buffer.from(`spawn failed: ${err.message}\n`));
        this.#done = true;
        running.delete(this);
        resolve({ code: null, signal: null });
      });
    });
    running.add(this);
  }

  /** Starts `brushwatch run` with these options. */
  static start(options: ServiceOptions = {}): ServiceProcess {
    return new ServiceProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The tail of stdout and stderr (pino's JSON lines), for assertions and failure messages. */
  output(): string {
    return this.#output;
  }

  isRunning(): boolean {
    return !this.#done;
  }

  /**
   * Waits until GET /readyz answers 200 (the service joined its group and reached the
   * registry). Fails early, with the output, if the process exits first.
   */
  async ready(timeoutMs = 60_000): Promise<void> {
    const port = this.options.httpPort;
    if (port === undefined) throw new Error('ready() needs the httpPort option');
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (!this.isRunning()) throw new Error(`brushwatch run exited before it was ready:\n${this.#output.slice(-4000)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        (res) => res.status === 200,
        () => false,
      );
      if (ok) return;
      if (performance.now() > deadline) {
        throw new Error(`brushwatch run not ready within ${timeoutMs} ms:\n${this.#output.slice(-4000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * The sum of a metric's samples on /metrics, over the series whose labels include `labels`
   * (0 when none): e.g. `metric('brushwatch_events_consumed_total', { kind: 'order' })`. For
   * crash tests that kill at points defined by progress rather than by time.
   */
  async metric(name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
    const port = this.options.httpPort;
    if (port === undefined) throw new Error('metric() needs the httpPort option');
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    return sumSamples(await res.text(), name, labels);
  }

  /** Polls `metric(name, labels)` until `predicate` holds; returns the value that satisfied it. */
  async waitForMetric(
    name: string,
    predicate: (value: number) => boolean,
    options: { labels?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
  ): Promise<number> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (!this.isRunning()) throw new Error(`brushwatch run exited while waiting for ${name}:\n${this.#output.slice(-4000)}`);
      const value = await this.metric(name, options.labels).catch(() => undefined);
      if (value !== undefined && predicate(value)) return value;
      if (performance.now() > deadline) throw new Error(`${name} = ${value} did not satisfy the condition within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Waits until a line of output matches, e.g. a log message. */
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const line = this.#output.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (!this.isRunning()) throw new Error(`brushwatch run exited before printing ${pattern}:\n${this.#output.slice(-4000)}`);
      if (performance.now() > deadline) throw new Error(`no output matching ${pattern} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILL: a crash, nothing flushed, nothing committed. Resolves when the process is gone. */
  async kill(): Promise<Exit> {
    this.child.kill('SIGKILL');
    return withTimeout(this.exited, 10_000, `SIGKILL of brushwatch run (pid ${this.pid})`);
  }

  /**
   * SIGTERM: a graceful shutdown. If the process has not exited within `timeoutMs`, it is
   * SIGKILLed and this rejects: a hung shutdown is a failure, not a slow success.
   */
  async terminate(timeoutMs = 30_000): Promise<Exit> {
    this.child.kill('SIGTERM');
    try {
      return await withTimeout(this.exited, timeoutMs, `graceful shutdown of brushwatch run (pid ${this.pid})`);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** A new process with the same options; this one must have exited. */
  restart(): ServiceProcess {
    if (this.isRunning()) throw new Error(`restart() of a running brushwatch run (pid ${this.pid}): kill() or terminate() it first`);
    return new ServiceProcess(this.options);
  }
}

/**
 * Sums the samples of `name` in Prometheus text format whose labels include `labels`. Label
 * values with escaped quotes are not supported (the project's metrics have none).
 */
export function sumSamples(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const brace = line[name.length] === '{' ? line.indexOf('}') : -1;
    const found = new Map<string, string>();
    if (brace > 0) {
      for (const m of line.slice(name.length + 1, brace).matchAll(/(\w+)="([^"]*)"/g)) found.set(m[1] ?? '', m[2] ?? '');
    }
    if (!Object.entries(labels).every(([k, v]) => found.get(k) === v)) continue;
    const value = Number(line.slice((brace > 0 ? brace + 1 : name.length)).trim().split(' ')[0]);
    if (!Number.isNaN(value)) sum += value;
  }
  return sum;
}

/** Kills every service process still running. For `after`/`finally`. */
export async function stopAllServices(): Promise<void> {
  await Promise.all([...running].map((p) => p.kill()));
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port from listen(0)');
  return address.port;
}
