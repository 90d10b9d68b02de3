/** Helpers of the discovery tests: the fixture schemas generated into a throw-away project, and service processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generate } from '../../generator/index.ts';
import type { LoadOptions, Resolved, ServiceDiscoverySettings, ServiceSpec } from '../../generator/runtime/index.ts';
import { REPO, tempRoot } from '../helpers.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface ConfigB {
  a: { host: string; port: number; scheme: 'http' | 'https'; https: boolean; prefix: string | null };
  tls: { certificate: string | null; private_key: string | null };
  service_discovery: ServiceDiscoverySettings;
}

export interface Loader<C> {
  service: ServiceSpec;
  loadConfig(options?: LoadOptions<C>): Promise<C>;
  resolveConfigWithSources(options?: LoadOptions<C>): Promise<Resolved<C>>;
}

export interface DiscoveryProject {
  root: string;
  configTs(service: 'wazo-a' | 'wazo-b'): string;
  b: Loader<ConfigB>;
  cleanup(): void;
}

/** test/discovery/fixtures → schemas/ of a new project under the repo, generated. */
export async function discoveryProject(): Promise<DiscoveryProject> {
  const root = tempRoot();
  cpSync(FIXTURES, join(root, 'schemas'), { recursive: true });
  await generate({ root });
  const configTs = (service: string) => join(root, 'generated', service, 'config.ts');
  return {
    root,
    configTs,
    b: (await import(configTs('wazo-b'))) as Loader<ConfigB>,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The env that locates the test server, and nothing of this machine's. */
export function consulEnv(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(port), ...extra };
}

export interface Event {
  event: string;
  [key: string]: unknown;
}

/** A service process running test/discovery/service.ts; its stdout events and stderr lines are kept. */
export class ServiceProcess {
  readonly events: Event[] = [];
  readonly log: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(configTs: string, env: Record<string, string>) {
    this.child = spawn(
      process.execPath,
      ['--conditions=wazo-config-source', '--import', 'tsx', join(import.meta.dirname, 'service.ts'), configTs],
      {
        cwd: REPO,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.events.push(JSON.parse(line) as Event);
      this.poke();
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.log.push(line);
      this.poke();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        resolve({ code, signal });
        this.poke();
      }),
    );
  }

  /** The first event (or log line) that matches, waiting up to `timeoutMs`. */
  async next<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(
          `no ${what} (exit ${this.child.exitCode ?? this.child.signalCode}); log:\n${this.log.join('\n')}\nevents:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  event(name: string, after = 0, timeoutMs?: number): Promise<Event> {
    return this.next(() => this.events.slice(after).find((e) => e.event === name), `${name} event`, timeoutMs);
  }

  logLine(pattern: RegExp, timeoutMs?: number): Promise<string> {
    return this.next(() => this.log.find((l) => pattern.test(l)), `log line ${pattern}`, timeoutMs);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  private poke(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    waiters.forEach((w) => w());
  }
}
