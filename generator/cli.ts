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
import { seedCommand } from './commands/seed.ts';
import { validateCommand } from './commands/validate.ts';

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
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
