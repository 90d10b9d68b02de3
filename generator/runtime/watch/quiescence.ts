/**
 * Quiescence, as consul-template's `wait { min max }`: after a change, wait until nothing more has
 * changed for `minMs`, but never more than `maxMs` after the first change of the burst; then fire
 * once. A burst of writes gives one cycle that sees the final state.
 */

export interface QuiescenceOptions {
  /** Quiet time needed after the last change; 0 fires at once. */
  minMs?: number;
  /** The longest a burst may delay firing; default 4 × minMs. */
  maxMs?: number;
}

export const DEFAULT_QUIESCENCE = { minMs: 500, maxMs: 5_000 } as const;

export class Quiescence {
  private readonly minMs: number;
  private readonly maxMs: number;
  private timer: NodeJS.Timeout | undefined;
  private firstAt: number | undefined;

  constructor(
    options: QuiescenceOptions,
    private readonly fire: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.minMs = Math.max(0, options.minMs ?? DEFAULT_QUIESCENCE.minMs);
    this.maxMs = Math.max(
      this.minMs,
      options.maxMs ?? (options.minMs === undefined ? DEFAULT_QUIESCENCE.maxMs : 4 * this.minMs),
    );
  }

  /** Something changed: (re)arm the timer. */
  poke(): void {
    if (this.minMs === 0) return this.flush();
    const now = this.now();
    this.firstAt ??= now;
    clearTimeout(this.timer);
    const due = Math.min(now + this.minMs, this.firstAt + this.maxMs);
    this.timer = setTimeout(() => this.flush(), Math.max(0, due - now));
  }

  /** Fire now (and forget the pending burst). */
  flush(): void {
    this.cancel();
    this.fire();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.firstAt = undefined;
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }
}
