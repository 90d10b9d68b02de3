/**
 * `wazo-config validate <service> <file…>`: config files checked as the service's loader reads
 * them (schema defaults, the first file as config.yml, the others as its conf.d files), every
 * problem with the loader's own message and the file, line and column of its key.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { CommandModule } from 'yargs';
import { resolveConfig } from '../runtime/load.ts';
import { ConfigError, formatProblem, type Problem } from '../runtime/problems.ts';
import { fileSource } from '../runtime/sources/files.ts';
import { parseYamlDocument } from '../runtime/yaml-document.ts';
import type { Logger } from '../runtime/types.ts';
import { serviceSpecs } from '../service-specs.ts';
import { projectFrom, requireFiles, run, type ProjectArgs } from './run.ts';

interface Args extends ProjectArgs {
  service: string;
  files: string[];
  'confd-order': 'first-wins' | 'last-wins';
  exec: boolean;
  'accumulate-lists': boolean;
  env: boolean;
  strict: boolean;
  json: boolean;
}

export interface Located extends Problem {
  severity: 'error' | 'warning';
  file?: string;
  line?: number;
  column?: number;
}

export const validateCommand: CommandModule<object, Args> = {
  command: 'validate <service> <files..>',
  describe: "check config files against a service's schema, each problem with its file and line",
  builder: (y) =>
    y
      .positional('service', { type: 'string', demandOption: true, describe: 'service name' })
      .positional('files', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'the config file, then conf.d files (ordered by name, as the loader does)',
      })
      .option('confd-order', {
        choices: ['first-wins', 'last-wins'] as const,
        default: 'first-wins' as const,
        describe: 'which conf.d file wins a conflict',
      })
      .option('exec', {
        type: 'boolean',
        default: false,
        describe: 'run the commands of !exec files, as Wazo does (wazoCompat.exec)',
      })
      .option('accumulate-lists', {
        type: 'boolean',
        default: false,
        describe: 'concatenate lists across files, as wazo-auth does (wazoCompat.accumulateLists)',
      })
      .option('env', { type: 'boolean', default: false, describe: "also read the service's environment variables" })
      .option('strict', { type: 'boolean', default: false, describe: 'unknown keys are errors, not warnings' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
  handler: (argv) => run(() => validate(argv)),
};

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

async function validate(argv: Args): Promise<number> {
  // A named file that does not exist is a usage error (exit 2), never read as an empty file.
  requireFiles(argv.files, 'config file');
  const [spec] = await serviceSpecs(projectFrom(argv), [argv.service]);
  const [configFile, ...confd] = argv.files;
  const files = fileSource({
    configFile: configFile!,
    configDir: false,
    confdFiles: [...confd].sort((a, b) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0)),
    confdOrder: argv['confd-order'],
    wazoCompat: { exec: argv.exec, accumulateLists: argv['accumulate-lists'] },
  });
  let problems: readonly Problem[] = [];
  try {
    // Strict, so that unknown keys come back as problems with their source; shown as warnings unless --strict.
    await resolveConfig(spec!, {
      pemFiles: false,
      env: argv.env ? process.env : {},
      replaceSources: { files, consul: false, discovered: false, connect: false },
      strict: true,
      logger: quiet,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = [...problems, ...error.problems];
  }
  const lines = new KeyLines();
  const located = problems.map((p): Located => ({
    ...p,
    severity: p.message === 'unknown key' && !argv.strict ? 'warning' : 'error',
    ...lines.locate(p),
  }));
  const errors = located.filter((p) => p.severity === 'error').length;
  if (argv.json)
    console.log(
      JSON.stringify({ service: spec!.name, files: argv.files, valid: errors === 0, problems: located }, null, 2),
    );
  else {
    for (const p of located) console.log(problemLine(p));
    const warnings = located.length - errors;
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    console.log(
      `${spec!.name}: ${count(argv.files.length, 'file')}, ${count(errors, 'error')}, ${count(warnings, 'warning')}`,
    );
  }
  return errors > 0 ? 1 : 0;
}

/**
 * `file:line:col: error: key (source): what (hint)`. A problem of the file itself (a YAML error, a
 * missing file) has its location for key and the file for source: the location is said once.
 */
function problemLine(p: Located): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}:${p.column}` : ''}` : '';
  const aboutTheFile = p.file !== undefined && new RegExp(`^${escapeRegExp(p.file)}(?::\\d+(?::\\d+)?)?$`).test(p.key);
  if (aboutTheFile && p.source === `file ${p.file}`) {
    return `${where}: ${p.severity}: ${p.message}${p.hint ? ` (hint: ${p.hint})` : ''}`;
  }
  return `${where ? `${where}: ` : ''}${p.severity}: ${formatProblem(p)}`;
}

/** Where a problem's key is written in the file it came from, each file parsed once. */
class KeyLines {
  private readonly parsed = new Map<string, { doc: Document; lineCounter: LineCounter } | undefined>();

  locate(problem: Problem): Pick<Located, 'file' | 'line' | 'column'> {
    // `file a.yml`, or `file a.yml + file b.yml` for a list accumulated across files: the first is the one that wins.
    const file = /^file (.+?)(?: \+ file .*)?$/.exec(problem.source)?.[1];
    if (!file) return {};
    const written = new RegExp(`^${escapeRegExp(file)}:(\\d+)(?::(\\d+))?$`).exec(problem.key);
    if (written) return { file, line: Number(written[1]), column: Number(written[2] ?? 1) };
    const parsed = this.document(file);
    if (!parsed || problem.key === file) return { file };
    const node = keyNode(parsed.doc.contents as Node | null, problem.key);
    if (!node?.range) return { file };
    const { line, col } = parsed.lineCounter.linePos(node.range[0]);
    return { file, line, column: col };
  }

  private document(file: string) {
    if (!this.parsed.has(file)) {
      let text: string | undefined;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        text = undefined;
      }
      this.parsed.set(file, text === undefined ? undefined : parseYamlDocument(text));
    }
    return this.parsed.get(file);
  }
}

/**
 * The key node for a dotted key, or the deepest one written. Keys may hold dots themselves
 * (`enabled_asterisk_modules.app_amd.so`): the longest key that matches is taken.
 */
function keyNode(node: Node | null, dotted: string): Node | undefined {
  if (dotted === '') return undefined;
  if (isSeq(node)) {
    const [index, ...rest] = dotted.split('.');
    const item = node.items[Number(index)] as Node | undefined;
    return /^\d+$/.test(index!) && item ? (keyNode(item, rest.join('.')) ?? item) : undefined;
  }
  if (!isMap(node)) return undefined;
  let best: { key: Node; value: Node | null; rest: string } | undefined;
  for (const pair of node.items) {
    const key = pair.key as Node;
    const name = isScalar(key) ? String(key.value) : String(key);
    const rest = dotted === name ? '' : dotted.startsWith(`${name}.`) ? dotted.slice(name.length + 1) : undefined;
    if (rest !== undefined && (!best || rest.length < best.rest.length))
      best = { key, value: pair.value as Node | null, rest };
  }
  if (!best) return undefined;
  return keyNode(best.value, best.rest) ?? best.key;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
