/** The watcher's public shapes: options, typed handlers and their events, the handle, extra watches. */
import type { LoadOptions } from '../load.ts';
import type { Problem } from '../problems.ts';
import type { Logger } from '../types.ts';
import type { KeyChange } from './diff.ts';
import type { Backoff, RateLimit } from './pacing.ts';
import type { QuiescenceOptions } from './quiescence.ts';
import type { RestartSetting } from './restart.ts';

/** What started a cycle: the first read, Consul, SIGHUP, `reload()`, or an extra watch's name. */
export type CycleReason = 'start' | 'consul' | 'sighup' | 'reload' | (string & {});

export interface ChangeEvent<C> {
  type: 'change';
  /** The mutable keys that changed, old → new; `String(change)` masks secrets. */
  changes: KeyChange[];
  /** The live configuration, already updated in place. */
  config: C;
  reason: CycleReason;
}

export interface RestartRequiredEvent<C> {
  type: 'restartRequired';
  /** The restart-only keys whose new value differs from the running one. */
  changes: KeyChange[];
  /** The configuration running now (its mutable keys are up to date). */
  config: C;
  /** The whole new configuration, as the restarted process will load it. */
  next: C;
  /** Ms until the process exits (the `exit` policy); undefined under `emit`. */
  exitInMs: number | undefined;
  reason: CycleReason;
}

export interface InvalidEvent {
  type: 'invalid';
  /** Every problem, as loadConfig reports them (secrets masked); the last good configuration stays. */
  problems: readonly Problem[];
  /** The problems as one text, as a ConfigError prints them. */
  message: string;
  reason: CycleReason;
}

export interface WatchErrorEvent {
  type: 'error';
  /** `consul` for the prefix's blocking query, or an extra watch's name. */
  what: string;
  error: Error;
  /** What failed and what to do, as one line. */
  message: string;
  /** Failed attempts in a row. */
  attempt: number;
  retryInMs: number;
}

export interface ReconnectedEvent {
  type: 'reconnected';
  what: string;
  /** Failed attempts before this answer. */
  attempts: number;
  /** Time since the first failure. */
  downMs: number;
}

export type WatchEvent<C> =
  ChangeEvent<C> | RestartRequiredEvent<C> | InvalidEvent | WatchErrorEvent | ReconnectedEvent;

/** Handlers may be async; what they throw or reject with is logged, never fatal. */
export interface WatchHandlers<C> {
  change?(event: ChangeEvent<C>): void | Promise<void>;
  restartRequired?(event: RestartRequiredEvent<C>): void | Promise<void>;
  invalid?(event: InvalidEvent): void | Promise<void>;
  error?(event: WatchErrorEvent): void | Promise<void>;
  reconnected?(event: ReconnectedEvent): void | Promise<void>;
}

/**
 * Something else worth watching (e.g. a dependency's address, for service discovery): it calls
 * `changed()` whenever the configuration should be resolved again. Every source (`sources`
 * included) is read again on each cycle, so a source that looks addresses up re-resolves them.
 */
export interface WatchedThing {
  readonly name: string;
  /** Starts watching; the function returned (if any) stops it. `signal` aborts when the watcher closes. */
  start(
    changed: () => void,
    context: { logger: Logger; signal: AbortSignal; report: WatchReporter },
  ): void | (() => void | Promise<void>);
}

/** Lets an extra watch report its own failures and recoveries as `error` / `reconnected` events. */
export interface WatchReporter {
  failure(error: unknown, attempt: number, retryInMs: number): void;
  recovered(attempts: number, downMs: number): void;
}

export interface WatchOptions<C> extends LoadOptions<C> {
  /** Quiescence, as consul-template's `wait`: default `{ minMs: 500, maxMs: 5000 }`; `minMs: 0` turns it off. */
  wait?: QuiescenceOptions;
  /** How long one blocking query waits for a change, in ms; default 60 000 (Consul caps it at 10 min). */
  blockingWaitMs?: number;
  /**
   * Retry delays after a failed query: the first drawn from 0–5 s (`firstRetrySpreadMs`), then 500 ms doubling to
   * 10 s, with jitter.
   */
  backoff?: Backoff;
  /** Token bucket on queries; default burst 2, one more every 250 ms. */
  rateLimit?: RateLimit;
  /** What a change to a restart-only key does; default exit with code 75 after 5 s. */
  restart?: RestartSetting;
  /** Re-read every source on SIGHUP; default true. */
  sighup?: boolean;
  /** More things whose change starts a cycle. */
  watches?: readonly WatchedThing[];
}

export interface Watcher<C> {
  /** The live configuration (the object given to watchConfig), updated in place. */
  readonly config: C;
  /** Resolves once the first Consul answer is in and checked (at once without Consul), or on close. */
  readonly ready: Promise<void>;
  /** Reads every source again now, as SIGHUP does (Consul from the last answer); resolves when done. */
  reload(): Promise<void>;
  /** Stops watching: aborts the query, removes the SIGHUP listener, cancels a pending restart. */
  close(): Promise<void>;
}
