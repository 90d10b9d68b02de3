/**
 * `wazo-config exec` (docs/exec.md): run a daemon that knows nothing of Consul from its schema.
 * Load and validate every source (waiting for Consul and `dependsOn` as the loader does), render
 * its files atomically, start it, register it in Consul once its probe passes, and follow the
 * configuration with the runtime's own watcher (one blocking query):
 *
 * - mutable keys changed → render again, then reload (signal or command);
 * - restart-only keys changed → render, stop (SIGTERM, grace, SIGKILL) and start again, or with
 *   `restart: 'exit'` stop it and return 75 for systemd or Kubernetes to restart everything;
 * - an invalid value or one a file format cannot carry → one log line, the files and the daemon
 *   stay as they are;
 * - Consul away → the watcher retries; the daemon is not touched.
 *
 * SIGTERM, SIGINT and SIGHUP are forwarded (SIGHUP re-reads the sources first). The daemon's own
 * exit ends the wrapper with the daemon's code, after deregistering: no silent restart loop.
 */
import { locateConsul } from '../consul/locate.ts';
import {
  startRegistration,
  type ServiceDiscoverySettings,
  type ServiceRegistration,
} from '../discovery/registration.ts';
import { consoleLogger, resolveConfig, type LoadOptions } from '../load.ts';
import { ConfigError, formatProblem, type Problem } from '../problems.ts';
import { dotted, isObject } from '../tree.ts';
import type { JsonObject, Logger, ServiceSpec } from '../types.ts';
import { applyChanges, type KeyChange } from '../watch/diff.ts';
import type { WatchOptions } from '../watch/events.ts';
import { RESTART_EXIT_CODE } from '../watch/restart.ts';
import { watch } from '../watch/watcher.ts';
import { renderAll, writeAtomic, type RenderedFile } from '../render/render.ts';
import { DEFAULT_RELOAD_SIGNAL, type DaemonSpec } from '../render/spec.ts';
import { renderString } from '../render/templates.ts';
import { Daemon, type DaemonExit } from './daemon.ts';
import { probeOf } from './probe.ts';
import { spawn } from 'node:child_process';

export interface SuperviseOptions {
  service: ServiceSpec;
  daemon: DaemonSpec;
  /** The project root (templates are found next to the schema file). */
  root: string;
  /** The daemon's command line. */
  command: readonly string[];
  /** On a restart-only change: restart the daemon here (`child`, default) or exit 75 (`exit`). */
  restart?: 'child' | 'exit';
  /** Between SIGTERM and SIGKILL when stopping the daemon; default 10 s. */
  graceMs?: number;
  /** Write the rendered files in this directory (by their base names) instead of their schema paths. */
  renderDir?: string;
  /** How the configuration is read and watched (files, Consul, env, quiescence…). */
  watch?: Omit<WatchOptions<JsonObject>, 'restart' | 'sighup' | 'logger'>;
  logger?: Logger;
}

export const DEFAULT_GRACE_MS = 10_000;

/** Runs the daemon until it exits (or a restart-only change under `exit`); resolves with the exit code to use. */
export async function supervise(options: SuperviseOptions): Promise<number> {
  const { service, daemon: spec } = options;
  const logger = options.logger ?? consoleLogger;
  const name = service.name;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const load: LoadOptions<JsonObject> = { ...options.watch };

  const { config, tree } = await resolveConfig<JsonObject>(service, {
    ...load,
    waitForDependencies: load.waitForDependencies ?? true,
  });
  const first = renderAll(service, spec, config, {
    root: options.root,
    renderDir: options.renderDir,
    sourceOf: (p) => tree.sourceOf(p),
  });
  if (!first.ok) throw new ConfigError(name, first.problems);
  writeAll(first.files);

  let daemon = new Daemon(options.command);
  logger.info(
    `${name}: started ${options.command.join(' ')} (pid ${daemon.pid ?? '?'}) with ${first.files.map((f) => f.path).join(', ') || 'no rendered file'}`,
  );
  let restarting = false;
  let finished: ((exit: DaemonExit & { restart?: boolean }) => void) | undefined;
  const finish = new Promise<DaemonExit & { restart?: boolean }>((resolve) => (finished = resolve));
  const follow = (d: Daemon) => void d.exited.then((exit) => !restarting && d === daemon && finished!(exit));
  follow(daemon);

  const registration = register(options, config, logger);

  /** Renders `from`; on refusal, one log line and nothing written. */
  const renderNow = (from: JsonObject, what: string, changes: readonly KeyChange[]): boolean => {
    const sources = new Map(changes.map((c) => [c.key, c.source]));
    const sourceOf = (path: readonly string[]) => sources.get(dotted(path)) ?? 'running configuration';
    const result = renderAll(service, spec, from, { root: options.root, renderDir: options.renderDir, sourceOf });
    if (!result.ok) {
      logger.error(
        `${name}: ${what} not applied: ${result.problems.map(formatProblem).join('; ')} (the daemon keeps running on its last good files)`,
      );
      return false;
    }
    writeAll(result.files);
    return true;
  };

  const watcher = watch<JsonObject>(
    service,
    config,
    {
      change: async (event) => {
        if (!renderNow(event.config, 'change', event.changes)) return;
        await reload(spec, event.config, daemon, logger, name);
      },
      restartRequired: async (event) => {
        if (!renderNow(event.next, 'restart', event.changes)) return;
        if (options.restart === 'exit') {
          logger.warn(
            `${name}: stopping the daemon and exiting with code ${RESTART_EXIT_CODE} so that the service manager starts it again with the new configuration`,
          );
          restarting = true;
          await daemon.stop(graceMs);
          finished!({ code: RESTART_EXIT_CODE, how: 'restart required', restart: true });
          return;
        }
        logger.warn(`${name}: restarting the daemon: ${event.changes.join('; ')}`);
        restarting = true;
        const stopped = await daemon.stop(graceMs);
        applyChanges(event.config, event.changes);
        daemon = new Daemon(options.command);
        restarting = false;
        follow(daemon);
        logger.info(`${name}: restarted (the previous one ended with ${stopped.how}; pid ${daemon.pid ?? '?'} now)`);
      },
    },
    { ...load, restart: 'emit', sighup: false, logger },
  );

  const forward = (signal: NodeJS.Signals) => () => {
    if (signal === 'SIGHUP') {
      logger.info(`${name}: SIGHUP: reading the configuration again, then passing SIGHUP to the daemon`);
      void watcher.reload().then(() => daemon.signal('SIGHUP'));
      return;
    }
    logger.info(`${name}: ${signal}: passing it to the daemon`);
    daemon.signal(signal);
  };
  const handlers = (['SIGTERM', 'SIGINT', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  handlers.forEach(([s, h]) => process.on(s, h));

  const exit = await finish;
  handlers.forEach(([s, h]) => process.off(s, h));
  await watcher.close();
  await registration?.stop();
  if (!exit.restart) logger.info(`${name}: the daemon ended with ${exit.how}; exiting with code ${exit.code}`);
  return exit.code;
}

function writeAll(files: readonly RenderedFile[]): void {
  for (const file of files) writeAtomic(file);
}

/** The daemon takes the new files: its reload signal, or the reload command run to its end. */
async function reload(
  spec: DaemonSpec,
  config: JsonObject,
  daemon: Daemon,
  logger: Logger,
  name: string,
): Promise<void> {
  const command = spec.reload?.command;
  if (!command) {
    const signal = (spec.reload?.signal ?? DEFAULT_RELOAD_SIGNAL) as NodeJS.Signals;
    daemon.signal(signal);
    logger.info(`${name}: sent ${signal} to the daemon`);
    return;
  }
  const argv = command.map((arg) => renderString(arg, config));
  const code = await new Promise<number | string>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (c, signal) => resolve(c ?? `signal ${signal}`));
  });
  if (code === 0) logger.info(`${name}: reloaded with ${argv[0]}`);
  else
    logger.error(
      `${name}: the reload command ${argv.join(' ')} failed (${typeof code === 'number' ? `exit code ${code}` : code}); the files are written, the daemon may still run on the previous values`,
    );
}

/** Registers the daemon in Consul when Consul is located and `service_discovery.enabled`; its TTL follows the probe. */
function register(options: SuperviseOptions, config: JsonObject, logger: Logger): ServiceRegistration | undefined {
  const { service, daemon } = options;
  const settings = config.service_discovery;
  const located =
    options.watch?.consul === false
      ? undefined
      : locateConsul(options.watch?.consul, options.watch?.env ?? process.env);
  if (!isObject(settings) || located?.kind !== 'consul') {
    logger.debug?.(
      `${service.name}: not registering in Consul (${located?.kind === 'consul' ? 'the schema has no service_discovery group' : 'Consul is not located'})`,
    );
    return undefined;
  }
  const probe = daemon.check ? probeOf(daemon.check, () => config) : undefined;
  try {
    return startRegistration({
      name: service.name,
      settings: settings as unknown as ServiceDiscoverySettings,
      ...(probe ? { check: probe, recheck: true } : {}),
      consul: options.watch?.consul || undefined,
      env: options.watch?.env,
      logger,
      deregisterOn: [],
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems: readonly Problem[] = error.problems;
    logger.error(`${service.name}: not registering in Consul: ${problems.map(formatProblem).join('; ')}`);
    return undefined;
  }
}
