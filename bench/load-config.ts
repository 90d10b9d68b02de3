/**
 * The loading fixture shared by load-config.bench.ts and profile-load.ts: synthetic services,
 * their generated loaders in a temp project, the YAML file and env each load reads, and the
 * wazo-config load op.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../generator/index.ts';
import type { Logger } from '../generator/runtime/types.ts';
import { dottedPath, type Env } from './peers.ts';
import { importLoader, tempProject, type GeneratedLoader, type TempProject } from './project.ts';
import { syntheticService, type SyntheticService } from './synthetic-schema.ts';

export const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** What a process environment holds besides the service's own variables. */
const SYSTEM_ENV: Env = Object.fromEntries(
  Array.from({ length: 40 }, (_, i) => [`SYSTEM_VARIABLE_${i}`, `/usr/lib/something/${i}`]),
);

export interface LoadFixture {
  service: SyntheticService;
  loader: GeneratedLoader;
  /** Env name of every leaf, by dotted path (as the generated loader names them). */
  envNames: Map<string, string>;
  /** The YAML config file. */
  file: string;
  env: Env;
  /** wazo-config's op: loadConfig() with the file and the env. */
  load(): Promise<unknown>;
}

export async function loadFixtures(
  sizes: readonly number[],
): Promise<{ project: TempProject; fixtures: LoadFixture[] }> {
  const project = tempProject('load');
  const services = sizes.map((size) => syntheticService(size));
  services.forEach((s) => project.addSchema(s.name, s.schema));
  await generate({ root: project.root });
  const fixtures: LoadFixture[] = [];
  for (const service of services) {
    const loader = await importLoader(project.root, service.name);
    const envNames = new Map(loader.service.settings.map((s) => [dottedPath(s.path), s.env]));
    const file = join(project.root, `${service.name}.yml`);
    writeFileSync(file, service.yaml);
    const env: Env = { ...SYSTEM_ENV };
    for (const leaf of service.leaves) if (leaf.env) env[envNames.get(dottedPath(leaf.path))!] = leaf.env.text;
    const load = () => loader.loadConfig({ configFile: file, configDir: false, env, logger: silent });
    fixtures.push({ service, loader, envNames, file, env, load });
  }
  return { project, fixtures };
}
