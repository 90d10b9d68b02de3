#!/usr/bin/env node
/** The `wazo-config` command. */
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { generate, GenerateError } from './index.ts';

const root = resolve(process.env.WAZO_CONFIG_ROOT ?? process.cwd());

/** User errors print their message alone and exit 1; anything else is a bug and keeps its stack. */
async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    if (error instanceof GenerateError) {
      console.error(error.message);
      console.error(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}; nothing was written.`);
      process.exitCode = 1;
    } else throw error;
  }
}

await yargs(hideBin(process.argv))
  .scriptName('wazo-config')
  .usage('$0 <command> [options]')
  .command(
    'generate [services..]',
    'schemas/ → generated/ (every schema, or only the services named)',
    (y) =>
      y
        .positional('services', { type: 'string', array: true, describe: 'service names (default: all)' })
        .option('check', { type: 'boolean', default: false, describe: 'write nothing; list stale files and exit 1 if any' }),
    (argv) =>
      run(async () => {
        const services = argv.services?.length ? argv.services : undefined;
        const result = await generate({ root, services, check: argv.check });
        const stale = [...result.written.map((p) => `generated/${p}`), ...result.deleted.map((p) => `generated/${p} (no longer generated)`)];
        if (argv.check) {
          if (stale.length === 0) {
            console.log(`generated/ is up to date (${result.unchanged.length} files).`);
            return 0;
          }
          console.error(`generated/ is stale; run \`npm run generate\`:\n${stale.map((s) => `  ${s}`).join('\n')}`);
          return 1;
        }
        console.log(`${result.written.length} written, ${result.deleted.length} deleted, ${result.unchanged.length} unchanged.`);
        return 0;
      }),
  )
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
