/**
 * A throw-away project root outside the repository (so no linter or type-check of the repo ever
 * sees it): its own `schemas/`, the repo's `templates/` and prettier settings, and
 * `node_modules/wazo-config` linked to the repo, so that generated loaders resolve
 * `wazo-config/runtime` exactly as a service's would.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LoadOptions, ServiceSpec } from '../generator/runtime/index.ts';
import type { JsonObject } from '../generator/runtime/types.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface TempProject {
  root: string;
  addSchema(service: string, schema: JsonObject): void;
  dispose(): void;
}

export function tempProject(label: string): TempProject {
  const root = mkdtempSync(join(tmpdir(), `wazo-config-bench-${label}-`));
  mkdirSync(join(root, 'schemas'));
  mkdirSync(join(root, 'node_modules'));
  symlinkSync(REPO, join(root, 'node_modules', 'wazo-config'), 'dir');
  symlinkSync(join(REPO, 'templates'), join(root, 'templates'), 'dir');
  writeFileSync(join(root, 'package.json'), '{ "private": true, "type": "module" }\n');
  copyFileSync(join(REPO, '.prettierrc.json'), join(root, '.prettierrc.json'));
  return {
    root,
    addSchema: (service, schema) =>
      writeFileSync(join(root, 'schemas', `${service}.schema.json`), JSON.stringify(schema, null, 2)),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** What a generated `config.ts` exports, seen without its service-specific types. */
export interface GeneratedLoader {
  service: ServiceSpec;
  loadConfig(options?: LoadOptions): Promise<JsonObject>;
}

export async function importLoader(root: string, service: string): Promise<GeneratedLoader> {
  return (await import(pathToFileURL(join(root, 'generated', service, 'config.ts')).href)) as GeneratedLoader;
}

let built = false;

/**
 * dist/ up to date (`npm run build`: incremental `tsc`, then the runtime bundle), for benches that run the compiled
 * code as a service does.
 */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.build.json')],
    { cwd: REPO, stdio: 'inherit' },
  );
  execFileSync(process.execPath, [join(REPO, 'scripts', 'bundle-runtime.js')], { cwd: REPO, stdio: 'inherit' });
  built = true;
}
