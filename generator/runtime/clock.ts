/** Time and chance, injectable so that waits, backoff and jitter can be tested without waiting. */

export interface Clock {
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

/** A clock that also sleeps: for the waits that take no AbortSignal (waiting for Consul, for dependencies). */
export interface WaitClock extends Clock {
  sleep(ms: number): Promise<void>;
}

export const realClock: WaitClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};
