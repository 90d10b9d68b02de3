#!/usr/bin/env node
/** The `wazo-config` command: one module per command under commands/. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { diffCommand } from './commands/diff.ts';
import { explainCommand } from './commands/explain.ts';
import { generateCommand } from './commands/generate.ts';
import { seedCommand } from './commands/seed.ts';

await yargs(hideBin(process.argv))
  .scriptName('wazo-config')
  .usage('$0 <command> [options]')
  .command(generateCommand)
  .command(seedCommand)
  .command(diffCommand)
  .command(explainCommand)
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
