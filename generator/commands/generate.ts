/** `wazo-config generate [--check] [service…]`: schemas/ → generated/ (or --schemas → --out). */
import { relative } from 'node:path';
import type { CommandModule } from 'yargs';
import { projectFrom, run, type ProjectArgs } from './run.ts';

interface Args extends ProjectArgs {
  services?: string[];
  check: boolean;
  js: boolean;
}

export const generateCommand: CommandModule<object, Args> = {
  command: 'generate [services..]',
  describe: 'schemas → generated files (every schema, or only the services named)',
  builder: (y) =>
    y
      .positional('services', { type: 'string', array: true, describe: 'service names (default: all)' })
      .option('check', {
        type: 'boolean',
        default: false,
        describe: 'write nothing; list stale files and exit 1 if any',
      })
      .option('js', {
        type: 'boolean',
        default: false,
        describe:
          'emit config.js + config.d.ts (and validate.js + .d.ts) instead of TypeScript, for services that do not compile TypeScript',
      }),
  handler: (argv) =>
    run(async () => {
      const services = argv.services?.length ? argv.services : undefined;
      // generate.ts imports the emitters (ajv, prettier) only when its cache cannot answer.
      const { generate } = await import('../generate.ts');
      const project = projectFrom(argv);
      const result = await generate({
        ...project,
        services,
        check: argv.check,
        language: argv.js ? 'js' : 'ts',
        cache: true,
      });
      const out = relative(process.cwd(), project.out) || '.';
      const stale = [
        ...result.written.map((p) => `${out}/${p}`),
        ...result.deleted.map((p) => `${out}/${p} (no longer generated)`),
      ];
      if (argv.check) {
        if (stale.length === 0) {
          console.log(`${out}/ is up to date (${result.unchanged.length} files).`);
          return 0;
        }
        console.error(`${out}/ is stale; run \`wazo-config generate\`:\n${stale.map((s) => `  ${s}`).join('\n')}`);
        return 1;
      }
      console.log(
        `${result.written.length} written, ${result.deleted.length} deleted, ${result.unchanged.length} unchanged.`,
      );
      return 0;
    }),
};
