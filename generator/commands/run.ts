/**
 * What every command shares: where the project is (flags, `wazo-config.json`, the working
 * directory), how user errors end a command, and the exit codes: 0 ok, 1 problems found, 2 usage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../runtime/problems.ts';
import { GenerateError } from '../schema-problems.ts';
import { projectAt, type Project } from '../project.ts';

/** 70 is EX_SOFTWARE: a bug, reported in one line. */
export const EXIT = { ok: 0, problems: 1, usage: 2, bug: 70 } as const;

/** Read from the working directory: paths for projects that always use the same ones. */
export const PROJECT_FILE = 'wazo-config.json';

export interface ProjectArgs {
  root?: string;
  schemas?: string;
  out?: string;
}

interface ProjectFile {
  root?: string;
  schemas?: string;
  out?: string;
}

/**
 * The project a command works on. Flags win over `wazo-config.json` (its paths relative to
 * itself), which wins over `WAZO_CONFIG_ROOT`, then the working directory. Schemas that are not
 * there end the command with one line saying where it looked (exit 2).
 */
export function projectFrom(args: ProjectArgs, cwd = process.cwd()): Project {
  const file = readProjectFile(join(cwd, PROJECT_FILE));
  const fromFile = (key: keyof ProjectFile) => (file?.[key] === undefined ? undefined : resolve(cwd, file[key]));
  const root = args.root ?? fromFile('root') ?? process.env.WAZO_CONFIG_ROOT ?? cwd;
  const project = projectAt(resolve(cwd, root), {
    schemas: args.schemas === undefined ? fromFile('schemas') : resolve(cwd, args.schemas),
    out: args.out === undefined ? fromFile('out') : resolve(cwd, args.out),
  });
  if (!existsSync(project.schemas)) {
    const how =
      args.schemas !== undefined
        ? '--schemas'
        : file?.schemas !== undefined
          ? `${PROJECT_FILE}'s "schemas"`
          : 'the default <root>/schemas';
    throw new UsageError(
      `no schemas at ${project.schemas} (from ${how}); point to them with --schemas <folder or file> (and --out <folder>), ` +
        `--root <project>, or a ${PROJECT_FILE} here with {"schemas": …, "out": …}`,
    );
  }
  return project;
}

function readProjectFile(path: string): ProjectFile | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `${path}: not valid JSON (${(error as Error).message}); expected {"schemas": "<folder or file>", "out": "<folder>"}`,
    );
  }
  const known = ['root', 'schemas', 'out'];
  const wrong =
    typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)
      ? ['(the file must hold an object)']
      : Object.entries(parsed)
          .filter(([key, value]) => !known.includes(key) || typeof value !== 'string')
          .map(([key]) => key);
  if (wrong.length > 0) {
    throw new UsageError(
      `${path}: unexpected ${wrong.join(', ')}; the keys are ${known.join(', ')}, each a path relative to ${dirname(path)}`,
    );
  }
  return parsed as ProjectFile;
}

/** Input files named on the command line must be there: a missing one is a usage mistake (exit 2). */
export function requireFiles(paths: readonly string[], what: string): void {
  const missing = paths.filter((path) => !existsSync(path));
  if (missing.length > 0) throw new UsageError(`no ${what} at ${missing.map((path) => resolve(path)).join(', ')}`);
}

/**
 * Errors users can fix print their message alone and exit 1. Anything else is a bug: one line
 * (the stack with WAZO_CONFIG_DEBUG=1) and exit 70 (EX_SOFTWARE); never the usage text, which is
 * for usage errors.
 */
export async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    if (error instanceof GenerateError) {
      console.error(error.message);
      console.error(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}; nothing was written.`);
      process.exitCode = EXIT.problems;
    } else if (error instanceof UsageError) {
      console.error(`wazo-config: ${error.message}`);
      process.exitCode = EXIT.usage;
    } else if (error instanceof ConfigError || error instanceof UserError) {
      console.error(error.message);
      process.exitCode = EXIT.problems;
    } else {
      const message = error instanceof Error ? error.message : String(error);
      const debug = process.env.WAZO_CONFIG_DEBUG
        ? `\n${(error as Error).stack ?? ''}`
        : ' (WAZO_CONFIG_DEBUG=1 prints the stack)';
      console.error(`internal error: ${message.split('\n')[0]}${debug}`);
      process.exitCode = EXIT.bug;
    }
  }
}

/** An error in what the user asked for (a missing file, Consul unreachable…): its message is the whole story. */
export class UserError extends Error {
  override name = 'UserError';
}

/** The command was not given what it needs to run at all (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}
