#!/usr/bin/env node
/** The `wazo-config` command: one module per command under commands/. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { generateCommand } from './commands/generate.ts';

await yargs(hideBin(process.argv))
  .scriptName('wazo-config')
  .usage('$0 <command> [options]')
  .command(generateCommand)
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
