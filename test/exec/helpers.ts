/**
 * What the real-daemon tests of `wazo-config exec` share: the wrapper as a child process with its
 * log lines, polling with a deadline, free ports, Consul health as the test server answers it, and
 * running a daemon as an unprivileged user when the tests run as root (CI does), as the daemons'
 * own packaging does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ConsulTestServer } from '../consul-server/server.ts';
import { REPO } from '../helpers.ts';

/** `setpriv` to `user` when running as root (exec, no fork: signals reach the daemon itself), else nothing. */
export function asUser(user: string): string[] {
  return process.getuid?.() === 0 ? ['setpriv', `--reuid=${user}`, `--regid=${user}`, '--init-groups', '--'] : [];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `wazo-config exec` from the sources, as a child process whose stderr lines are kept. */
export class Wrapper {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  /** `prefix`: a command the wrapper runs under, e.g. `unshare --pid --fork` to make it PID 1. */
  constructor(args: string[], env: NodeJS.ProcessEnv, prefix: string[] = []) {
    const node = [process.execPath, '--conditions=wazo-config-source', '--import', 'tsx'];
    const argv = [...prefix, ...node, join(REPO, 'generator/cli.ts'), 'exec', ...args];
    this.child = spawn(argv[0]!, argv.slice(1), {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    const take = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      this.lines.push(...parts);
      if (process.env.WAZO_TEST_VERBOSE) parts.forEach((l) => console.error(`  | ${l}`));
    };
    this.child.stderr!.on('data', take);
    this.child.stdout!.on('data', take);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first line matching `pattern` after `from` lines, waited for. */
  line(pattern: RegExp, from = 0, timeoutMs?: number): Promise<string> {
    return until(
      `a log line matching ${pattern}`,
      () => this.lines.slice(from).find((l) => pattern.test(l)),
      timeoutMs,
    );
  }

  get mark(): number {
    return this.lines.length;
  }

  /** The pid of the process started: the wrapper's, or its prefix's. */
  get pid(): number {
    return this.child.pid!;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** The instances of `service` whose every check passes, as Consul's health endpoint lists them. */
export async function passing(
  server: ConsulTestServer,
  service: string,
): Promise<{ Service: { ID: string; Port: number } }[]> {
  const response = await fetch(`${server.url}/v1/health/service/${service}?passing`);
  return (await response.json()) as { Service: { ID: string; Port: number } }[];
}

/** Every registered instance of `service`, passing or not. */
export async function registered(server: ConsulTestServer, service: string): Promise<unknown[]> {
  const response = await fetch(`${server.url}/v1/health/service/${service}`);
  return (await response.json()) as unknown[];
}
