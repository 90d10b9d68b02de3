/**
 * Pacing of a blocking-query loop (consul-http-api.md §3.3): a token bucket against tight loops
 * (burst 2, as Consul's docs suggest), capped exponential backoff with jitter after failures, and
 * sleeps that an AbortSignal cuts short.
 */

import { realClock, type Clock } from '../clock.ts';

/** Resolves after `ms`, or at once when `signal` aborts (it never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RateLimit {
  /** Requests allowed back to back; default 2. */
  burst?: number;
  /** One more request allowed every this many ms; default 250. */
  intervalMs?: number;
}

/** A token bucket: `take()` waits until a request may go. */
export class TokenBucket {
  private readonly burst: number;
  private readonly intervalMs: number;
  private tokens: number;
  private updated: number;

  constructor(
    limit: RateLimit = {},
    private readonly clock: Clock = realClock,
  ) {
    this.burst = Math.max(1, limit.burst ?? 2);
    this.intervalMs = Math.max(0, limit.intervalMs ?? 250);
    this.tokens = this.burst;
    this.updated = clock.now();
  }

  async take(signal?: AbortSignal): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      await sleep(Math.ceil((1 - this.tokens) * this.intervalMs), signal);
      this.refill();
    }
    this.tokens = Math.max(0, this.tokens - 1);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens =
      this.intervalMs === 0 ? this.burst : Math.min(this.burst, this.tokens + (now - this.updated) / this.intervalMs);
    this.updated = now;
  }
}

export interface Backoff {
  /** The delay after a second failure is twice this, in ms; default 250. */
  initialMs?: number;
  /** The cap, in ms; default 10 000. */
  maxMs?: number;
  /**
   * The first retry after a failure is drawn uniformly from 0 to this, in ms; default the cap, at most 5 000. When
   * Consul goes away, every watcher loses its query in the same instant: drawn from ½–1 × 250 ms, a thousand first
   * retries would all reach it within the same quarter of a second, each a whole read of its prefix (docs/watch.md).
   */
  firstRetrySpreadMs?: number;
}

/**
 * The delay before retry number `attempt` (1-based) of a watch: the first spread over `firstRetrySpreadMs`, the next
 * ones as `backoffDelay`.
 */
export function retryDelay(backoff: Backoff, attempt: number, clock: Clock = realClock): number {
  if (attempt > 1) return backoffDelay(backoff, attempt, clock);
  const spread = backoff.firstRetrySpreadMs ?? Math.min(5_000, backoff.maxMs ?? 10_000);
  return Math.round(Math.max(0, spread) * clock.random());
}

/** The delay before retry number `attempt` (1-based): doubled each time up to the cap, drawn from ½ to 1 times that. */
export function backoffDelay(backoff: Backoff, attempt: number, clock: Clock = realClock): number {
  const initial = backoff.initialMs ?? 250;
  const capped = Math.min(backoff.maxMs ?? 10_000, initial * 2 ** Math.min(attempt - 1, 30));
  return Math.round(capped * (0.5 + clock.random() / 2));
}
