/** Helpers of the migration tests: throw-away files, runtime specs without generating, the corpus by component. */
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serviceSpecs } from '../../generator/service-specs.ts';
import { getAt, type JsonObject, type ServiceSpec } from '../../generator/runtime/index.ts';
import { CORPUS, tempRoot } from '../helpers.ts';

/** Files under a fresh folder in .test-tmp/ (`name → text`; names ending in `.sh` are made executable). */
export function writeFiles(entries: Record<string, string>, dir = tempRoot()): string {
  for (const [name, text] of Object.entries(entries)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
    if (name.endsWith('.sh')) chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

/**
 * Wazo's merge (`effective_config.json`) as a loader of an inferred schema can give it: infer leaves a
 * plaintext secret's value out of the schema (x-secret, no default), so where config.yml does not set it
 * either, the loader has nothing for it where Wazo has its in-code default. Returns the merge without those
 * keys, and the settings left out (each must carry infer's note).
 */
export function effectiveWithoutLeftOutSecrets(
  spec: ServiceSpec,
  loaded: JsonObject,
  effective: JsonObject,
): { effective: JsonObject; leftOut: ServiceSpec['settings'] } {
  const copy = structuredClone(effective);
  const leftOut = spec.settings.filter(
    (s) =>
      s.secret && s.default === undefined && getAt(loaded, s.path) === undefined && getAt(copy, s.path) !== undefined,
  );
  for (const setting of leftOut) delete (getAt(copy, setting.path.slice(0, -1)) as JsonObject)[setting.path.at(-1)!];
  return { effective: copy, leftOut };
}

/** A service's runtime spec straight from a schema, as the commands build it (no generate). */
export async function specOf(schema: Record<string, unknown>): Promise<ServiceSpec> {
  const name = (schema['x-service'] as { name: string }).name;
  const root = writeFiles({ [`schemas/${name}.schema.json`]: JSON.stringify(schema) });
  const [spec] = await serviceSpecs(root, [name]);
  return spec!;
}

export interface Component {
  name: string;
  /** config.yml first, then the service's own conf.d files, then those other packages ship into its conf.d. */
  files: string[];
  /** default_config.yml, when the component has in-code defaults. */
  defaults?: string;
}

/** The 22 components of the corpus (test/fixtures/wazo/README.md). */
export function corpusComponents(): Component[] {
  const names = readdirSync(CORPUS).filter((name) => existsSync(join(CORPUS, name, 'config.yml')));
  const ymlIn = (dir: string) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.yml'))
          .sort()
          .map((f) => join(dir, f))
      : [];
  return names.map((name) => {
    const shipped = names.flatMap((other) => ymlIn(join(CORPUS, other, `shipped-into-${name}-conf.d`)));
    const defaults = join(CORPUS, name, 'default_config.yml');
    return {
      name,
      files: [join(CORPUS, name, 'config.yml'), ...ymlIn(join(CORPUS, name, 'conf.d')), ...shipped],
      ...(existsSync(defaults) ? { defaults } : {}),
    };
  });
}
