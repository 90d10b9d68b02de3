/**
 * `watchConfig` (docs/design.md "Watch contract"): one blocking query on the service's Consul prefix;
 * after each change (quiesced), SIGHUP, `reload()` or an extra watch, a cycle resolves the whole
 * configuration again through the loader's own source table (sources/table.ts, with the query's last
 * answer in the `consul` slot) and validates it. Then: invalid → `invalid`,
 * the last good configuration kept; mutable keys changed → applied in place and `change`;
 * restart-only keys changed → `restartRequired` and the restart policy. Nothing here throws
 * once started: Consul failures are retried and reported, handler errors are logged.
 */
import type { TreeRead } from '../consul/client.ts';
import { getAt } from '../tree.ts';
import { classify } from '../consul/failure.ts';
import { ConsulSession } from '../consul/session.ts';
import { watchedDiscoverySource } from '../sources/discovered.ts';
import { discoveryWatched, type DiscoveryWatch } from './discovery-watch.ts';
import { connectWatched, type ConnectWatch } from '../connect/watch.ts';
import { CONNECT_SOURCE, watchedConnectSource } from '../connect/source.ts';
import { consoleLogger, resolveConfig, type Resolved } from '../load.ts';
import { ConfigError, problemsLine, type Problem } from '../problems.ts';
import type { JsonObject, Logger, ServiceSpec } from '../types.ts';
import type { BlockingOptions } from './blocking.ts';
import {
  consulFeed,
  contentOf,
  DEFAULT_BLOCKING_WAIT_MS,
  describeFailure,
  snapshotSource,
  type ConsulFeed,
} from './consul-feed.ts';
import { applyChanges, diffConfigs, KeyChange, withConnectChanges } from './diff.ts';
import type { CycleReason, WatchEvent, WatchHandlers, Watcher, WatchOptions, WatchReporter } from './events.ts';
import { HiddenConsulChanges } from './hidden.ts';
import { Quiescence } from './quiescence.ts';
import { RestartPolicy } from './restart.ts';
import { loggable } from './loggable.ts';

export function watch<C>(
  service: ServiceSpec,
  config: C,
  handlers: WatchHandlers<C> = {},
  options: WatchOptions<C> = {},
): Watcher<C> {
  return new ConfigWatcher(service, config, handlers, options);
}

class ConfigWatcher<C> implements Watcher<C> {
  readonly ready: Promise<void>;
  private readonly live: JsonObject;
  private readonly logger: Logger;
  private readonly restart: RestartPolicy;
  private readonly quiescence: Quiescence;
  private readonly controller = new AbortController();
  private readonly feed: ConsulFeed | undefined;
  /** One session for the watcher's life: the KV query and the discovered services' queries share its client. */
  private readonly session: ConsulSession;
  private discovery: DiscoveryWatch | undefined;
  /** The Connect material's blocking queries, for a service with an `x-connect-tls` group. */
  private readonly connect: ConnectWatch | undefined;
  private readonly stops: (() => void | Promise<void>)[] = [];
  private readonly reasons = new Set<CycleReason>();
  private readonly warned = new Set<string>();
  private readonly hidden: HiddenConsulChanges;
  private snapshot: TreeRead | undefined;
  private started = false;
  private invalidNow = false;
  private chain: Promise<void> = Promise.resolve();
  private markReady: () => void = () => undefined;

  constructor(
    private readonly service: ServiceSpec,
    readonly config: C,
    private readonly handlers: WatchHandlers<C>,
    private readonly options: WatchOptions<C>,
  ) {
    this.live = config as unknown as JsonObject;
    this.hidden = new HiddenConsulChanges(service);
    this.logger = options.logger ?? consoleLogger;
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.restart = new RestartPolicy(options.restart, service.name, this.logger);
    this.quiescence = new Quiescence(options.wait ?? {}, () => void this.runCycle());

    this.session = ConsulSession.open(options.consul, options.env ?? process.env);
    const { located } = this.session;
    if (located.kind === 'invalid') throw new ConfigError(service.name, located.problems);
    if (located.kind === 'consul') {
      const { location } = located;
      const prefix = service.consulPrefix;
      const report = this.reporter('consul', (error) => describeFailure(classify(error), location, prefix));
      const pacing: BlockingOptions = { backoff: options.backoff ?? {}, rateLimit: options.rateLimit ?? {} };
      this.feed = consulFeed(
        this.session,
        prefix,
        options.blockingWaitMs ?? DEFAULT_BLOCKING_WAIT_MS,
        { data: (read) => this.onConsul(read), ...report },
        pacing,
        this.logger,
        service.name,
      );
      this.feed.query.start();
    } else {
      this.start();
    }

    if (options.sighup !== false) {
      process.on('SIGHUP', this.onSighup);
      this.stops.push(() => void process.off('SIGHUP', this.onSighup));
    }
    // Discovered addresses (x-discover) are watched like the KV prefix: a moved dependency starts a cycle.
    const discovery = this.discovers()
      ? [
          discoveryWatched(
            service,
            { session: this.session, backoff: options.backoff, blockMs: options.blockingWaitMs },
            (watch) => (this.discovery = watch),
          ),
        ]
      : [];
    if (this.session.location && options.connect !== false && options.consul !== false && service.connectTls) {
      this.connect = connectWatched(service, {
        session: this.session,
        files: options.pemFiles || {},
        env: options.env ?? process.env,
        blockMs: options.blockingWaitMs ?? DEFAULT_BLOCKING_WAIT_MS,
        backoff: options.backoff,
        rateLimit: options.rateLimit,
      });
    }
    for (const thing of [...discovery, ...(this.connect ? [this.connect] : []), ...(options.watches ?? [])]) {
      const context = {
        logger: this.logger,
        signal: this.controller.signal,
        report: this.reporter(thing.name, (e) => `${thing.name}: ${String(e)}`),
      };
      const stop = thing.start(() => this.request(thing.name), context);
      if (stop) this.stops.push(stop);
    }
  }

  async reload(): Promise<void> {
    await this.ready;
    this.reasons.add('reload');
    this.quiescence.cancel();
    await this.runCycle();
  }

  async close(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    this.quiescence.cancel();
    this.restart.cancel();
    await this.feed?.close();
    for (const stop of this.stops) await stop();
    await this.chain;
    this.session.close();
    this.markReady();
  }

  private readonly onSighup = (): void => {
    this.logger.info(`${this.service.name}: SIGHUP: reading the configuration again`);
    this.request('sighup', true);
  };

  /** A cycle is wanted; `now` skips quiescence (a person asked). Before the first Consul answer, it waits for it. */
  private request(reason: CycleReason, now = false): void {
    if (this.controller.signal.aborted) return;
    this.reasons.add(reason);
    if (!this.started) return;
    if (now) this.quiescence.flush();
    else this.quiescence.poke();
  }

  private onConsul(read: TreeRead): void {
    const same = this.snapshot !== undefined && contentOf(this.snapshot) === contentOf(read);
    this.snapshot = read;
    if (!this.started) this.start();
    else if (!same) this.request('consul');
  }

  /** The first cycle: catches what changed between loadConfig and watchConfig, then `ready`. */
  private start(): void {
    this.started = true;
    this.reasons.add('start');
    void this.runCycle().then(this.markReady);
  }

  private runCycle(): Promise<void> {
    this.chain = this.chain
      .then(() => this.cycle())
      .catch((error: unknown) => this.logger.error(`${this.service.name}: watch cycle failed: ${String(error)}`));
    return this.chain;
  }

  private async cycle(): Promise<void> {
    if (this.reasons.size === 0 || this.controller.signal.aborted) return;
    const reason = [...this.reasons].join(', ');
    const first = this.reasons.has('start');
    this.reasons.clear();
    let resolved: Resolved<C>;
    try {
      resolved = await this.resolve(first);
    } catch (error) {
      const problems: readonly Problem[] =
        error instanceof ConfigError
          ? error.problems
          : [
              {
                key: this.service.name,
                source: `watch (${reason})`,
                message: `reading the configuration failed: ${String(error)}`,
              },
            ];
      const message = new ConfigError(this.service.name, problems).message;
      this.invalidNow = true;
      this.logger.error(
        `${problemsLine(this.service.name, problems)}; change rejected: the last good configuration stays in use`,
      );
      if (this.restart.pending) {
        // Restarting now would fail to load; the restart is asked for again once the configuration is valid.
        this.restart.cancel();
        this.logger.warn(`${this.service.name}: restart postponed: the new configuration is invalid`);
      }
      await this.emit({ type: 'invalid', problems, message, reason });
      return;
    }
    if (this.snapshot)
      this.hidden.check(this.snapshot.entries, resolved.tree).forEach((line) => this.logger.warn(line));
    const changes = withConnectChanges(
      diffConfigs(this.service, this.live, resolved.tree),
      this.connectChanges(resolved),
    );
    const mutable = changes.filter((c) => c.mutable);
    const restartOnly = changes.filter((c) => !c.mutable);
    if (this.invalidNow && changes.length === 0)
      this.logger.info(`${this.service.name}: the configuration is valid again; nothing changed`);
    this.invalidNow = false;
    if (mutable.length > 0) {
      applyChanges(this.live, mutable);
      this.logger.info(`${this.service.name}: applied live: ${mutable.join('; ')}`);
      await this.emit({ type: 'change', changes: mutable, config: this.config, reason });
    }
    const decision = this.restart.update(restartOnly);
    if (decision.report) {
      const exiting =
        decision.exitInMs === undefined
          ? ''
          : `; exiting with code ${this.restart.exitCode} in ${(decision.exitInMs / 1000).toFixed(1)} s`;
      this.logger.warn(`${this.service.name}: restart required: ${restartOnly.join('; ')}${exiting}`);
      await this.emit({
        type: 'restartRequired',
        changes: restartOnly,
        config: this.config,
        next: resolved.config,
        exitInMs: decision.exitInMs,
        reason,
      });
    }
  }

  /**
   * The loader's own path; Consul from the last answer. Warnings are logged once per watcher (the loader already logged
   * the first cycle's).
   */
  private resolve(first: boolean): Promise<Resolved<C>> {
    const logger: Logger = {
      debug: (m) => this.logger.debug?.(m),
      info: (m) => this.logger.info(m),
      error: (m) => this.logger.error(m),
      warn: (m) => {
        if (!this.warned.has(m) && !first) this.logger.warn(m);
        this.warned.add(m);
      },
    };
    // Consul's slot holds the last answer of the feed (nothing before the first one): no read of its own.
    const consul = this.snapshot ? snapshotSource(this.snapshot.entries, this.options.strict ?? false) : false;
    // The discovered slot: the discovered services' last answers, from their own blocking queries; a cycle reads no
    // health.
    const discovered =
      this.discovery && this.session.location
        ? watchedDiscoverySource(this.discovery, this.session.location.url)
        : false;
    const connect = this.connect ? watchedConnectSource() : false;
    return resolveConfig<C>(this.service, {
      ...this.options,
      waitForDependencies: false,
      replaceSources: { consul, discovered, connect, ...this.options.replaceSources },
      logger,
    });
  }

  /**
   * The Connect files were rewritten in place since the last cycle: their paths are the same, their content is not.
   * Each of the group's keys that points at them is reported changed, as mutable as the group is.
   */
  private connectChanges(resolved: Resolved<C>): KeyChange[] {
    const what = this.connect?.takeChange();
    const spec = this.service.connectTls;
    if (!what || !spec) return [];
    return [spec.certificate, spec.privateKey, ...(spec.ca ? [spec.ca] : [])].flatMap((path) => {
      const setting = this.service.settings.find((s) => s.path.join('\0') === path.join('\0'));
      const source = resolved.tree.sourceOf(path);
      if (!setting || source !== CONNECT_SOURCE) return [];
      const value = getAt(resolved.tree.root, path);
      return [new KeyChange(setting, value, value, `${CONNECT_SOURCE}: ${what}`)];
    });
  }

  private discovers(): boolean {
    return (
      this.session.location !== undefined && this.options.discover !== false && (this.service.discover?.length ?? 0) > 0
    );
  }

  private reporter(what: string, describe: (error: unknown) => string): WatchReporter {
    return {
      failure: (error, attempt, retryInMs) => {
        const message = describe(error);
        const line = `${this.service.name}: ${message}; attempt ${attempt}, retrying in ${(retryInMs / 1000).toFixed(1)} s (the last good configuration stays in use)`;
        if (attempt === 1) this.logger.warn(line);
        else this.logger.debug?.(line);
        const asError = error instanceof Error ? error : new Error(String(error));
        void this.emit({ type: 'error', what, error: asError, message, attempt, retryInMs });
      },
      recovered: (attempts, downMs) => {
        this.logger.info(
          `${this.service.name}: ${what} answers again after ${(downMs / 1000).toFixed(1)} s (${attempts} failed attempt${attempts === 1 ? '' : 's'})`,
        );
        void this.emit({ type: 'reconnected', what, attempts, downMs });
      },
    };
  }

  /** Calls the event's handler; what it throws is logged, never fatal. */
  private async emit(event: WatchEvent<C>): Promise<void> {
    const handler = this.handlers[event.type] as ((e: WatchEvent<C>) => void | Promise<void>) | undefined;
    if (!handler) return;
    try {
      await handler.call(this.handlers, loggable(this.service, event));
    } catch (error) {
      this.logger.error(
        `${this.service.name}: the ${event.type} handler failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }
}
