/**
 * `wazo-config exec <service> [options] -- <command…>`: run a daemon that knows nothing of Consul
 * (PostgreSQL, Kamailio…) from its schema's `x-service.render`, `reload` and `check`
 * (docs/exec.md). The wrapper's exit code is the daemon's (75 after a restart-only change under
 * `--restart=exit`; 1 when the configuration is invalid at start).
 */
import type { CommandModule } from 'yargs';
import { loadModels } from '../models.ts';
import { consoleLogger } from '../runtime/load.ts';
import { runUnderReaper, type ReapMode } from '../runtime/exec/reaper.ts';
import { supervise, DEFAULT_GRACE_MS } from '../runtime/exec/supervise.ts';
import { compiledSpecOf } from '../service-specs.ts';
import { consulOptionsOf, withConsulFlags, type ConsulArgs } from './consul-cli.ts';
import { withFileFlags, type FileArgs } from './deployment-files.ts';
import { projectFrom, run, UserError, type ProjectArgs } from './run.ts';

interface Args extends ConsulArgs, FileArgs, ProjectArgs {
  service: string;
  restart: 'child' | 'exit';
  grace: number;
  reap: ReapMode;
  'render-dir'?: string;
  '--'?: (string | number)[];
}

export const execCommand: CommandModule<object, Args> = {
  command: 'exec <service>',
  describe: 'run a daemon from its schema: render its files, register it in Consul, reload or restart it on changes',
  builder: (y) =>
    withFileFlags(
      withConsulFlags(
        y
          .parserConfiguration({ 'populate--': true })
          .usage(
            '$0 exec <service> [options] -- <command> [arguments…]\n\nRun a daemon that knows nothing of Consul from its schema (x-service.render, reload, check): render its files, start it, register it in Consul once its probe passes, re-render and reload it when mutable keys change, restart it when other keys change.',
          )
          .positional('service', {
            type: 'string',
            demandOption: true,
            describe: 'service name: its schema has x-service.render (and reload, check)',
          })
          .option('restart', {
            choices: ['child', 'exit'] as const,
            default: 'child' as const,
            describe:
              'on a change of a restart-only key: restart the daemon here (child), or stop it and exit 75 for systemd/Kubernetes to restart (exit)',
          })
          .option('grace', {
            type: 'number',
            default: DEFAULT_GRACE_MS / 1000,
            describe: 'seconds between SIGTERM and SIGKILL when stopping the daemon',
          })
          .option('reap', {
            choices: ['auto', 'never'] as const,
            default: 'auto' as const,
            describe:
              'as PID 1 (a container without an init), run under tini -s so that orphaned processes are reaped, not left as zombies (auto); never: do not',
          })
          .option('render-dir', {
            type: 'string',
            describe:
              "write the rendered files into this directory (by their base names) instead of the schema's paths",
          })
          .example(
            '$0 exec postgresql -- /usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main',
            'run PostgreSQL from Consul',
          )
          .epilog(
            'Consul is located as services locate it (WAZO_CONSUL_* or /etc/wazo-platform/consul, or the flags); without it, files and env only. ' +
              'Mutable keys are applied by re-rendering and reloading; other keys restart the daemon. SIGTERM, SIGINT and SIGHUP are passed to the daemon; ' +
              "the exit code is the daemon's. See docs/exec.md.",
          ),
      ),
    ),
  handler: (argv) => run(() => execute(argv)),
};

async function execute(argv: Args): Promise<number> {
  const command = (argv['--'] ?? []).map(String);
  if (command.length === 0)
    throw new UserError(
      `wazo-config exec ${argv.service}: no command to run (write it after --, e.g. wazo-config exec ${argv.service} -- /usr/sbin/daemon -f config)`,
    );
  const underReaper = runUnderReaper(argv.reap, argv.service, consoleLogger);
  if (underReaper) return underReaper;
  const project = projectFrom(argv);
  const root = project.root;
  const [model] = await loadModels(project, [argv.service]);
  if (!model!.daemon || model!.daemon.render.length + (model!.daemon.check ? 1 : 0) === 0) {
    throw new UserError(
      `${argv.service}: its schema has no x-service.render or check, so exec has nothing to do (see docs/exec.md)`,
    );
  }
  return supervise({
    service: compiledSpecOf(model!),
    daemon: model!.daemon,
    root,
    command,
    restart: argv.restart,
    graceMs: argv.grace * 1000,
    renderDir: argv['render-dir'],
    watch: {
      configFile: argv['config-file'],
      configDir: argv['config-dir'],
      consul: consulOptionsOf(argv, false),
    },
  });
}
