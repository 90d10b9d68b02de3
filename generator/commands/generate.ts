/** `wazo-config generate [--check] [service…]`: schemas/ → generated/. */
import type { CommandModule } from 'yargs';
import { projectRoot, run } from './run.ts';

interface Args {
  services?: string[];
  check: boolean;
}

export const generateCommand: CommandModule<object, Args> = {
  command: 'generate [services..]',
  describe: 'schemas/ → generated/ (every schema, or only the services named)',
  builder: (y) =>
    y
      .positional('services', { type: 'string', array: true, describe: 'service names (default: all)' })
      .option('check', { type: 'boolean', default: false, describe: 'write nothing; list stale files and exit 1 if any' }),
  handler: (argv) =>
    run(async () => {
      const services = argv.services?.length ? argv.services : undefined;
      // Loaded on use: the emitters bring prettier, ts-morph and json-schema-to-typescript.
      const { generate } = await import('../index.ts');
      const result = await generate({ root: projectRoot(), services, check: argv.check });
      const stale = [
        ...result.written.map((p) => `generated/${p}`),
        ...result.deleted.map((p) => `generated/${p} (no longer generated)`),
      ];
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
};
