/** Timing: warm-up, then many individually timed runs (process.hrtime.bigint), summarised by median and p95. */

export interface Timing {
  /** Milliseconds. */
  median: number;
  p95: number;
  min: number;
  runs: number;
}

export interface MeasureOptions {
  /** Milliseconds of untimed runs of each op first (and at least `minRuns / 5` runs). */
  warmupMs: number;
  /** Milliseconds of timed runs of each op, once it has `minRuns`. */
  budgetMs: number;
  minRuns: number;
  maxRuns: number;
  /** The timed runs are spread over this many rounds, each giving every op its slice in turn. */
  rounds: number;
}

export const DEFAULT_MEASURE: MeasureOptions = {
  warmupMs: 300,
  budgetMs: 1500,
  minRuns: 30,
  maxRuns: 5000,
  rounds: 10,
};

/** Keeps every result reachable, so that no run can be optimised away. */
export let sink: unknown;

const now = () => process.hrtime.bigint();
const ms = (ns: bigint) => Number(ns) / 1e6;
const later = (milliseconds: number) => now() + BigInt(Math.round(milliseconds * 1e6));

/** One timed run, for slow operations timed a few times (generation). */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const start = now();
  const value = await fn();
  return { ms: ms(now() - start), value };
}

/** Runs `fn` once; awaits it only when it returns a promise, so synchronous loaders pay no microtask. */
async function once(fn: () => unknown): Promise<number> {
  const start = now();
  const result = fn();
  sink = result instanceof Promise ? await result : result;
  return ms(now() - start);
}

/**
 * Times several ops against each other: each is warmed up, then the ops take turns, round after
 * round, so that a slow patch of the machine (GC of another op, other processes) falls on all of
 * them rather than on whichever ran at the time.
 */
export async function compare(
  ops: ReadonlyMap<string, () => unknown>,
  options: MeasureOptions = DEFAULT_MEASURE,
): Promise<Map<string, Timing>> {
  for (const fn of ops.values()) {
    const end = later(options.warmupMs);
    for (let n = 0; n < options.minRuns / 5 || now() < end; n++) await once(fn);
  }
  const samples = new Map([...ops.keys()].map((name) => [name, [] as number[]]));
  const minPerRound = Math.ceil(options.minRuns / options.rounds);
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, fn] of ops) {
      const list = samples.get(name)!;
      const end = later(options.budgetMs / options.rounds);
      for (let n = 0; list.length < options.maxRuns && (n < minPerRound || now() < end); n++) list.push(await once(fn));
    }
  }
  return new Map([...samples].map(([name, list]) => [name, summarise(list)]));
}

export function summarise(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), min: sorted[0] ?? NaN, runs: sorted.length };
}

/** Linear interpolation between closest ranks, on sorted samples. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** `0.412 ms`, `12.3 ms`, `2.41 s`. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  if (value >= 1) return `${value.toFixed(2)} ms`;
  return `${(value * 1000).toFixed(0)} µs`;
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '–';
}
