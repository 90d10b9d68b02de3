#!/usr/bin/env node
/** The `wazo-config` command: one module per command under commands/. */
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT, PROJECT_FILE } from './commands/run.ts';

/**
 * Each command's module, loaded on use: a command's imports (the Consul client, the runtime, ajv) cost hundreds of
 * milliseconds, and `generate` finding nothing changed should pay for none of the others'.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument types
const COMMANDS: { [name: string]: () => Promise<CommandModule<object, any>> } = {
  generate: async () => (await import('./commands/generate.ts')).generateCommand,
  seed: async () => (await import('./commands/seed.ts')).seedCommand,
  diff: async () => (await import('./commands/diff.ts')).diffCommand,
  explain: async () => (await import('./commands/explain.ts')).explainCommand,
  validate: async () => (await import('./commands/validate.ts')).validateCommand,
  infer: async () => (await import('./commands/infer.ts')).inferCommand,
  compat: async () => (await import('./commands/compat.ts')).compatCommand,
  exec: async () => (await import('./commands/exec.ts')).execCommand,
};
const names = Object.keys(COMMANDS);

const args = hideBin(process.argv);
// The commands named on the command line (a service may share a command's name: both load, yargs picks); every
// command when none is (--help, a usage mistake), so that help and errors list them all.
const named = names.filter((name) => args.includes(name));
const commands = await Promise.all((named.length > 0 ? named : names).map((name) => COMMANDS[name]!()));

let cli = yargs(args).scriptName('wazo-config').usage('$0 <command> [options]');
for (const command of commands) cli = cli.command(command);
skipHelpCache(cli);
await cli
  .option('root', {
    type: 'string',
    global: true,
    describe: 'the project folder (default: the working directory, or WAZO_CONFIG_ROOT)',
  })
  .option('schemas', {
    type: 'string',
    global: true,
    describe: 'a folder of <service>.schema.json files, or one such file (default: <root>/schemas)',
  })
  .option('out', {
    type: 'string',
    global: true,
    describe: 'where generated files go and are read from (default: <root>/generated)',
  })
  .demandCommand(1, `no command given; one of: ${names.join(', ')}`)
  .strict()
  .help()
  .epilogue(
    `Paths may also come from a ${PROJECT_FILE} in the working directory: {"schemas": "<folder or file>", "out": "<folder>", "root": "<folder>"}, ` +
      'relative to it; flags win. Exit codes: 0 ok; 1 problems found (schema or config problems, stale files, invalid or breaking values, Consul errors); ' +
      '2 usage (unknown command or option, missing argument, no schemas where the command looked).',
  )
  .wrap(Math.min(120, process.stdout.columns || 100))
  // A usage mistake is one line and exit 2: never the whole help text, never a stack trace.
  .fail((message, error) => {
    if (error) throw error;
    console.error(`wazo-config: ${message} (see wazo-config --help)`);
    process.exit(EXIT.usage);
  })
  .parseAsync();

/**
 * yargs lays out the whole help text after every command it runs, for a later `showHelp()`, which this
 * CLI never calls (`--help` lays it out when asked): ~50 ms of text wrapping on each run. Reached
 * through yargs' internal methods, so a yargs that changes them only loses the saving.
 */
function skipHelpCache(instance: object): void {
  type Internals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (instance as Internals).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}
