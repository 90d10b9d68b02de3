/**
 * Blocking queries (`agent/blockingquery`, §3): with `?index=N` (N > 0) the request waits until
 * the query's result is fresh (normally: its index > N) or the timeout passes, then answers with
 * the current data either way. Timeout = `min(wait, maxQueryTime)`, or `defaultQueryTime` when
 * wait is absent or ≤ 0, plus a random jitter in `[0, timeout / jitterFraction)`.
 */
import type { RaftIndex } from './raft-index.ts';

export interface BlockingConfig {
  /** Used when `?wait` is absent or ≤ 0. Consul: 5 min. */
  defaultQueryTime: number;
  /** Cap on `?wait`. Consul: 10 min. */
  maxQueryTime: number;
  /** Jitter is up to timeout / jitterFraction; 0 disables it. Consul: 16. */
  jitterFraction: number;
}

export const CONSUL_BLOCKING_DEFAULTS: BlockingConfig = {
  defaultQueryTime: 300_000,
  maxQueryTime: 600_000,
  jitterFraction: 16,
};

export interface BlockingParams {
  /** `?index=`, 0 when absent. */
  minIndex: number;
  /** `?wait=` in ms, undefined when absent. */
  waitMs: number | undefined;
}

export function blockingTimeout(config: BlockingConfig, waitMs: number | undefined): number {
  const base = waitMs !== undefined && waitMs > 0 ? Math.min(waitMs, config.maxQueryTime) : config.defaultQueryTime;
  const jitter = config.jitterFraction > 0 ? Math.random() * (base / config.jitterFraction) : 0;
  return base + jitter;
}

export interface BlockingQuery<R> {
  raft: RaftIndex;
  config: BlockingConfig;
  params: BlockingParams;
  signal: AbortSignal;
  /** Runs the query against the current state. */
  run: () => R;
  /** Whether `result` should be returned now; `first` is the result of the first run. */
  isFresh: (result: R, first: R) => boolean;
}

export async function blockingQuery<R>(q: BlockingQuery<R>): Promise<R> {
  let result = q.run();
  if (q.params.minIndex <= 0) return result;
  const first = result;
  const generation = q.raft.generation;
  const deadline = Date.now() + blockingTimeout(q.config, q.params.waitMs);
  for (;;) {
    if (q.isFresh(result, first) || q.signal.aborted) return result;
    const before = result;
    const expired = await waitForChange(q.raft, deadline - Date.now(), q.signal);
    // A snapshot restore releases every blocked query WITHOUT running it again (Consul's
    // blockingQuery returns on the state store's abandon channel): the client gets the answer it
    // had, old index included, and sees the lower index only on its next request, after that
    // request's whole wait (the new index is below the one it asks past).
    if (q.raft.generation !== generation) return before;
    result = q.run();
    if (expired) return result;
  }
}

/** Resolves `true` on timeout, `false` on a change or abort. Leaves no timer or listener behind. */
function waitForChange(raft: RaftIndex, ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (expired: boolean): void => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', onAbort);
      resolve(expired);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    const unsubscribe = raft.onChange(() => done(false));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
