/**
 * Where a project's schemas are and where its generated files go. Inside this repository both sit
 * under the root (`schemas/`, `generated/`); a service's own repository may put them anywhere
 * (`--schemas`, `--out`, or `wazo-config.json`), and `--schemas` may name one schema file.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Project {
  /** Paths in messages and banners are relative to it; `templates/` here override the shipped ones. */
  root: string;
  /** A folder of `<service>.schema.json` files, or one such file. */
  schemas: string;
  /** Where `<service>/config.ts` and the other generated files are written. */
  out: string;
}

export function projectAt(
  root: string,
  paths: { schemas?: string | undefined; out?: string | undefined } = {},
): Project {
  const absolute = resolve(root);
  return {
    root: absolute,
    schemas: paths.schemas === undefined ? join(absolute, 'schemas') : resolve(paths.schemas),
    out: paths.out === undefined ? join(absolute, 'generated') : resolve(paths.out),
  };
}

/** The project itself, or the repository layout under a root folder (as tests and benches pass it). */
export function projectOf(where: Project | string): Project {
  return typeof where === 'string' ? projectAt(where) : where;
}

/** `--schemas` names one file rather than a folder. */
export function isSchemaFile(project: Project): boolean {
  return existsSync(project.schemas) && statSync(project.schemas).isFile();
}
