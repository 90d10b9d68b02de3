/**
 * `wazo-config compat <old> <new>`: the changes between two versions of a service's schema,
 * breaking first; exit 1 when any is breaking (for CI on pull requests, docs/migration.md).
 */
import type { CommandModule } from 'yargs';
import { compare, modelOf, type Finding } from '../compat/index.ts';
import { requireFiles, run } from './run.ts';

interface Args {
  old: string;
  new: string;
  json: boolean;
}

export const compatCommand: CommandModule<object, Args> = {
  command: 'compat <old> <new>',
  describe: 'breaking and safe changes between two versions of a schema; exit 1 on breaking',
  builder: (y) =>
    y
      .positional('old', {
        type: 'string',
        demandOption: true,
        describe: 'the schema as it was (e.g. from git show origin/main:schemas/x.schema.json)',
      })
      .positional('new', { type: 'string', demandOption: true, describe: 'the schema as it is now' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
  handler: (argv) => run(() => compat(argv)),
};

async function compat(argv: Args): Promise<number> {
  requireFiles([argv.old, argv.new], 'schema file');
  const root = process.cwd();
  const report = compare(await modelOf(argv.old, root), await modelOf(argv.new, root));
  if (argv.json) console.log(JSON.stringify(report, null, 2));
  else {
    const count = (n: number, what: string) => `${n} ${what} change${n === 1 ? '' : 's'}`;
    console.log(
      `${report.service}: ${count(report.breaking.length, 'breaking')}, ${count(report.safe.length, 'safe')} (${argv.old} → ${argv.new})`,
    );
    for (const [title, findings] of [
      ['breaking', report.breaking],
      ['safe', report.safe],
    ] as const) {
      if (findings.length > 0) console.log(`${title}:\n${findings.map(line).join('\n')}`);
    }
  }
  return report.breaking.length > 0 ? 1 : 0;
}

function line(f: Finding): string {
  return `  ${f.key}: ${f.rule}${f.detail ? `: ${f.detail}` : ''}${f.hint ? ` (hint: ${f.hint})` : ''}`;
}
