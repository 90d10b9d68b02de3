/**
 * The restart policy: what a change to a restart-only (immutable) key leads to. By default the
 * process exits with code 75 (EX_TEMPFAIL, "try again") once a grace period has passed, so that
 * systemd (`Restart=on-failure`), docker-compose (`restart: on-failure`) or Kubernetes starts it
 * again with the new values. The grace period lets a burst of edits settle, lets the program
 * finish its work (`beforeExit`), and cancels the restart if the keys go back to their running
 * values meanwhile. The watcher also cancels it while the configuration is invalid: a restart
 * would not load. `'emit'` only reports, and leaves restarting to the program.
 */
import type { Logger } from '../types.ts';
import type { KeyChange } from './diff.ts';

export const RESTART_EXIT_CODE = 75;

export interface RestartOptions {
  /** `exit` (default): exit after the grace period; `emit`: only emit `restartRequired`. */
  policy?: 'exit' | 'emit';
  /** Default 75 (EX_TEMPFAIL). */
  exitCode?: number;
  /** Time between the first `restartRequired` and the exit, in ms; default 5 000. */
  graceMs?: number;
  /** Runs when the grace period is over, before the exit (close servers, flush logs); given up to `graceMs` more. */
  beforeExit?: () => void | Promise<void>;
}

export const DEFAULT_RESTART = { policy: 'exit', exitCode: RESTART_EXIT_CODE, graceMs: 5_000 } as const;

export type RestartSetting = 'exit' | 'emit' | RestartOptions;

/** What `update` decided: whether to emit `restartRequired`, and when the process exits. */
export interface RestartDecision {
  report: boolean;
  /** Ms until the exit; undefined under `emit`. */
  exitInMs?: number;
}

export class RestartPolicy {
  private readonly options: Required<Omit<RestartOptions, 'beforeExit'>> & Pick<RestartOptions, 'beforeExit'>;
  private reported = '';
  private timer: NodeJS.Timeout | undefined;
  private exitAt = 0;

  constructor(
    setting: RestartSetting | undefined,
    private readonly name: string,
    private readonly logger: Logger,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {
    const given = typeof setting === 'string' ? { policy: setting } : (setting ?? {});
    this.options = { ...DEFAULT_RESTART, ...given };
  }

  /** The restart-only keys that differ from the running config now (empty: none). */
  update(pending: readonly KeyChange[]): RestartDecision {
    const signature = JSON.stringify(pending.map((c) => [c.key, c.newValue]));
    if (pending.length === 0) {
      if (this.timer)
        this.logger.info(`${this.name}: restart cancelled: the restart-only keys are back to their running values`);
      this.cancel();
      return { report: false };
    }
    if (signature === this.reported) return { report: false };
    this.reported = signature;
    if (this.options.policy === 'emit') return { report: true };
    const now = Date.now();
    if (!this.timer) {
      this.exitAt = now + this.options.graceMs;
      this.timer = setTimeout(() => void this.exitNow(), this.options.graceMs);
    }
    // One clock reading: a first report says the whole grace period, whatever ms ticked meanwhile.
    return { report: true, exitInMs: Math.max(0, this.exitAt - now) };
  }

  /** Forget what is pending (the watcher closed, or the keys came back). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.reported = '';
  }

  /** An exit is scheduled. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  get exitCode(): number {
    return this.options.exitCode;
  }

  private async exitNow(): Promise<void> {
    const { beforeExit, exitCode, graceMs } = this.options;
    this.logger.warn(
      `${this.name}: exiting with code ${exitCode} so that the service manager starts it again with the new configuration`,
    );
    if (beforeExit) {
      const giveUp = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.resolve().then(beforeExit), giveUp]).catch((error: unknown) =>
        this.logger.error(`${this.name}: beforeExit failed: ${String(error)}`),
      );
    }
    this.exit(exitCode);
  }
}
