/**
 * Zombie reaping when the wrapper is PID 1 (a container's init). The kernel gives PID 1 every
 * orphaned process of the namespace (a daemon's worker whose parent died, the background job of a
 * reload script…), and its parent must wait() for it once it ends, or it stays a zombie holding a
 * pid. Node cannot: libuv waits only for the pids it spawned itself, there is no waitpid(-1) nor a
 * SIGCHLD handler, and no prctl to make another process the reaper.
 *
 * So as PID 1 the wrapper starts itself again under `tini -s` (Debian's package `tini`, the init
 * that `docker run --init` ships): as a child subreaper tini adopts and reaps every orphan below
 * it — the daemon's, and those of reload and check commands — passes the signals it gets to the
 * inner wrapper, and exits with its code. This outer process only passes SIGTERM, SIGINT and
 * SIGHUP on and exits with tini's code; it has a single child, tini, so no orphan ever reaches it.
 * The inner wrapper is not PID 1 and runs as usual.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fs } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Logger } from '../types.ts';
import { shellExitCode } from './daemon.ts';

export type ReapMode = 'auto' | 'never';

export const REAPER = 'tini';

/** The reaper's path on `PATH`, or undefined when it is not installed. */
export function findReaper(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, REAPER);
    try {
      accessSync(candidate, fs.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Under `auto` as PID 1: runs this very command line again under the reaper and resolves with its
 * exit code. Otherwise (not PID 1, `never`, or no reaper installed: said in one warning) undefined:
 * the caller supervises the daemon itself.
 */
export function runUnderReaper(mode: ReapMode, name: string, logger: Logger): Promise<number> | undefined {
  if (mode === 'never' || process.pid !== 1) return undefined;
  const reaper = findReaper();
  if (!reaper) {
    logger.warn(
      `${name}: running as PID 1 without ${REAPER} on PATH: orphaned processes will stay zombies (hint: apt-get install ${REAPER}, or run the container with an init: docker run --init, compose init: true)`,
    );
    return undefined;
  }
  const child = spawn(reaper, ['-s', '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const pass = (signal: NodeJS.Signals) => child.kill(signal);
  signals.forEach((s) => process.on(s, pass));
  logger.debug?.(`${name}: PID 1: running under ${reaper} -s (pid ${child.pid ?? '?'}), which reaps orphans`);
  return new Promise((resolve) => {
    const done = (code: number) => {
      signals.forEach((s) => process.off(s, pass));
      resolve(code);
    };
    child.once('error', (error) => {
      logger.error(`${name}: ${reaper} cannot be started: ${error.message}`);
      done(126);
    });
    child.once('exit', (code, signal) => done(shellExitCode(code, signal)));
  });
}
