/**
 * `wazo-config infer <config.yml…> --service <name> [--defaults <file>]`: a draft schema from
 * existing YAML, checked as `generate` checks schemas, and proved to load its own inputs back.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { formatProblems, inferSchema } from '../infer/index.ts';
import { readInputs } from '../infer/inputs.ts';
import { verifyInferred } from '../infer/verify.ts';
import { dotted } from '../runtime/tree.ts';
import { requireFiles, run, UserError } from './run.ts';

interface Args {
  files: string[];
  service: string;
  defaults?: string;
  out?: string;
  verify: boolean;
}

export const inferCommand: CommandModule<object, Args> = {
  command: 'infer <files..>',
  describe: 'a draft schema from existing YAML config files (types, defaults, descriptions from comments)',
  builder: (y) =>
    y
      .positional('files', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'config files: the shipped config.yml first, then any conf.d files',
      })
      .option('service', { type: 'string', demandOption: true, describe: 'the service name (x-service.name)' })
      .option('defaults', {
        type: 'string',
        describe: "the service's in-code defaults as YAML or JSON (default: the first file's values)",
      })
      .option('out', { type: 'string', describe: 'write the schema to this file (default: stdout)' })
      .option('verify', {
        type: 'boolean',
        default: true,
        describe: 'load every input back through the loader with the draft (--no-verify: skip)',
      }),
  handler: (argv) => run(() => infer(argv)),
};

async function infer(argv: Args): Promise<number> {
  // Nothing to read at all is a usage mistake; otherwise every input problem is reported at once.
  if (argv.files.every((file) => !existsSync(file))) requireFiles(argv.files, 'config file');
  const { inputs, problems } = readInputs(argv.files, argv.defaults);
  if (problems.length > 0) throw new UserError(problems.join('\n'));
  const { schema, notes, problems: left } = inferSchema(inputs, { service: argv.service });
  if (left.length > 0) throw new UserError(`the draft would not pass generate:\n${formatProblems(left)}`);
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (argv.out) writeFileSync(argv.out, text);
  else process.stdout.write(text);

  console.error(
    `${argv.service}: draft schema from ${inputs.length} file${inputs.length === 1 ? '' : 's'}; ${notes.length} note${notes.length === 1 ? '' : 's'} to review:`,
  );
  for (const note of notes)
    console.error(
      `  ${note.where ? `${note.where}: ` : ''}${note.path.length > 0 ? `${dotted(note.path)}: ` : ''}${note.message}`,
    );
  if (!argv.verify) return 0;
  const workDir = mkdtempSync(join(tmpdir(), 'wazo-config-infer-'));
  try {
    const results = await verifyInferred(schema, inputs, workDir);
    let failed = 0;
    for (const result of results) {
      if (result.skipped) console.error(`  load-back ${result.file}: skipped (${result.skipped})`);
      else if (result.differences.length === 0) console.error(`  load-back ${result.file}: same object`);
      else {
        failed++;
        console.error(`  load-back ${result.file}: DIFFERS\n${result.differences.map((d) => `    ${d}`).join('\n')}`);
      }
    }
    return failed > 0 ? 1 : 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
