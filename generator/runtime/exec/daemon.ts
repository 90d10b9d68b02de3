/**
 * The daemon as a child process: started with the terminal's stdio (its logs go where the
 * wrapper's go), signalled, and stopped gracefully — SIGTERM, a grace period, then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface DaemonExit {
  /** The exit code, or 128 + the signal's number when a signal ended it (as a shell reports it). */
  code: number;
  /** How it ended, for the log: `exit code 3`, `signal SIGKILL`. */
  how: string;
}

/** A child's exit as a shell reports it: its code, or 128 + the number of the signal that ended it. */
export function shellExitCode(code: number | null, signal: NodeJS.Signals | null): number {
  return signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0);
}

export class Daemon {
  readonly exited: Promise<DaemonExit>;
  private readonly child: ChildProcess;
  private done = false;

  constructor(readonly argv: readonly string[]) {
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    this.exited = new Promise((resolve) => {
      // A program that cannot be started (ENOENT, EACCES) exits as a shell would say: 127 or 126.
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        this.done = true;
        resolve({ code: error.code === 'ENOENT' ? 127 : 126, how: `cannot be started: ${error.message}` });
      });
      this.child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code: shellExitCode(code, signal), how: signal ? `signal ${signal}` : `exit code ${code}` });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.done) this.child.kill(signal);
  }

  /** SIGTERM; SIGKILL when it is still running after `graceMs`. Resolves once it has exited. */
  async stop(graceMs: number): Promise<DaemonExit> {
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.signal('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }
}
