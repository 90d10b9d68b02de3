#!/usr/bin/env node
/** The `wazo-config` command: one module per command under commands/. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { compatCommand } from './commands/compat.ts';
import { diffCommand } from './commands/diff.ts';
import { execCommand } from './commands/exec.ts';
import { explainCommand } from './commands/explain.ts';
import { generateCommand } from './commands/generate.ts';
import { inferCommand } from './commands/infer.ts';
import { EXIT, PROJECT_FILE } from './commands/run.ts';
import { seedCommand } from './commands/seed.ts';
import { validateCommand } from './commands/validate.ts';

const names = ['generate', 'seed', 'diff', 'explain', 'validate', 'infer', 'compat', 'exec'];

await yargs(hideBin(process.argv))
  .scriptName('wazo-config')
  .usage('$0 <command> [options]')
  .command(generateCommand)
  .command(seedCommand)
  .command(diffCommand)
  .command(explainCommand)
  .command(validateCommand)
  .command(inferCommand)
  .command(compatCommand)
  .command(execCommand)
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
