/**
 * A blocking-query loop (consul-http-api.md §3), generic over what it reads: the watcher's Consul
 * prefix, and any other Consul query (a service's health, for discovery). It follows the client
 * rules of §3.3: an index that goes backwards resets it to 0; an index of 0 (or none) counts as 1;
 * a token bucket keeps a server that answers at once from making it spin; failures are retried
 * with capped exponential backoff and jitter, forever, the first retry spread over a few seconds
 * so that the watchers of a whole platform do not come back to Consul in the same instant. Two
 * more rules make a Consul that restarted or was restored show at once rather than after a whole
 * wait (Consul blocks a query whose index is above its own until the wait ends): after a failure
 * the next request starts from index 0,
 * and an answer well before the wait with the same index (what Consul sends when a snapshot
 * restore releases blocked queries) is checked at once with index 0.
 */
import { realClock, type Clock } from '../clock.ts';
import { retryDelay, sleep, TokenBucket, type Backoff, type RateLimit } from './pacing.ts';

export interface BlockingAnswer<T> {
  /** `X-Consul-Index` of the answer. */
  index: number;
  data: T;
}

/** One request: wait until the index passes `index` (0: answer at once); abort on `signal`. */
export type BlockingFetch<T> = (index: number, signal: AbortSignal) => Promise<BlockingAnswer<T>>;

export interface BlockingHandlers<T> {
  /** The first answer, an answer whose index moved on, or one whose index went backwards. */
  data(data: T, index: number): void;
  /** A failed request (not an abort); the loop retries after `retryInMs`. */
  failure(error: unknown, attempt: number, retryInMs: number): void;
  /** The first answer after `attempts` failures, `downMs` after the first of them. */
  recovered(attempts: number, downMs: number): void;
}

export interface BlockingOptions {
  /** The `wait` of each request, in ms: an answer with the same index before half of it is checked again at once. */
  waitMs?: number;
  backoff?: Backoff;
  rateLimit?: RateLimit;
  clock?: Clock;
}

export class BlockingQuery<T> {
  private readonly controller = new AbortController();
  private readonly bucket: TokenBucket;
  private readonly clock: Clock;
  private running: Promise<void> | undefined;
  private lastIndex = 0;
  /** The next request asks with index 0 (an answer at once), keeping `lastIndex` to compare with. */
  private recheck = false;

  constructor(
    private readonly fetch: BlockingFetch<T>,
    private readonly handlers: BlockingHandlers<T>,
    private readonly options: BlockingOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.bucket = new TokenBucket(options.rateLimit, this.clock);
  }

  /** The index the next request waits past (0 before the first answer and after a reset). */
  get index(): number {
    return this.lastIndex;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Aborts the request in flight and ends the loop. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { signal } = this.controller;
    let failures = 0;
    let downSince = 0;
    while (!signal.aborted) {
      await this.bucket.take(signal);
      if (signal.aborted) break;
      let answer: BlockingAnswer<T>;
      const asked = this.recheck ? 0 : this.lastIndex;
      const started = this.clock.now();
      try {
        answer = await this.fetch(asked, signal);
      } catch (error) {
        if (signal.aborted) break;
        // Lost: Consul may come back restarted or restored, its index anywhere; ask from 0 at once.
        this.recheck = true;
        if (++failures === 1) downSince = this.clock.now();
        const delay = retryDelay(this.options.backoff ?? {}, failures, this.clock);
        this.handlers.failure(error, failures, delay);
        await sleep(delay, signal);
        continue;
      }
      if (signal.aborted) break;
      if (failures > 0) {
        this.handlers.recovered(failures, this.clock.now() - downSince);
        failures = 0;
      }
      this.recheck = false;
      // Rule 2: Consul never sends 0; a client that gets it (or nothing) must use 1, not spin on 0.
      const index = answer.index > 0 ? answer.index : 1;
      const early =
        asked > 0 &&
        index === this.lastIndex &&
        this.options.waitMs !== undefined &&
        this.clock.now() - started < this.options.waitMs / 2;
      if (early) this.recheck = true;
      if (this.lastIndex === 0 || index > this.lastIndex) {
        this.lastIndex = index;
        this.handlers.data(answer.data, index);
      } else if (index < this.lastIndex) {
        // Rule 1: a snapshot restore or reaped tombstones; start over from 0 with what was answered.
        this.lastIndex = 0;
        this.handlers.data(answer.data, index);
      }
      // Equal: the wait timed out, or a wake-up without a change; ask again.
    }
  }
}
