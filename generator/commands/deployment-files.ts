/**
 * What a deployment's config files set that the schema defaults do not already give: the values
 * `seed` moves into Consul, and the ones `diff` checks Consul against (Consul ranks above the
 * files, so a differing Consul value hides them).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Argv } from 'yargs';
import { resolveConfig } from '../runtime/load.ts';
import { indexOf } from '../runtime/settings-index.ts';
import { fileSource } from '../runtime/sources/files.ts';
import type { ConfigSource } from '../runtime/sources/source.ts';
import { getAt } from '../runtime/tree.ts';
import type { JsonValue, Logger, ServiceSpec, SettingSpec } from '../runtime/types.ts';

export interface FileArgs {
  'config-file'?: string;
  'config-dir'?: string;
}

export function withFileFlags<T>(y: Argv<T>): Argv<T & FileArgs> {
  return y
    .option('config-file', {
      type: 'string',
      describe: "the service's main config file (default: the schema's x-service.configFile)",
    })
    .option('config-dir', {
      type: 'string',
      describe: "the service's conf.d directory (default: the schema's x-service.configDir)",
    });
}

export interface FileValue {
  setting: SettingSpec;
  value: JsonValue;
  /** `file /etc/…/config.yml`, or `files` when several merged into the value (a map). */
  source: string;
}

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Each setting the files set to something other than its default, as the loader reads them
 * (config file, then conf.d, Wazo's order). An invalid file ends the command with the loader's
 * message: nothing is moved from files that the service itself would refuse.
 */
export async function fileValues(service: ServiceSpec, args: FileArgs): Promise<FileValue[]> {
  // The files are read once, before the rest of the load: when they set nothing (none exists, the usual case of
  // `seed --defaults` on a new host), the load would hold only the defaults, which generate checked against the
  // schema, so there is nothing to validate, and no validator to compile (seconds for a large schema).
  const read = await fileSource({
    configFile: args['config-file'] ?? service.configFile,
    configDir: args['config-dir'] ?? service.configDir,
  }).read({
    service,
    logger: quiet,
    // Files are read without it; built (for thousands of settings, a cost) only if some source asks.
    get index() {
      return indexOf(service);
    },
  });
  if (read.layers.length === 0 && read.problems.length === 0) return [];
  const files: ConfigSource = { name: 'files', read: () => Promise.resolve(read) };
  const { tree } = await resolveConfig(service, {
    replaceSources: { files },
    consul: false,
    env: {},
    pemFiles: false, // a report writes no files
    partial: true, // required settings may come from env or Consul
    logger: quiet,
  });
  return service.settings.flatMap((setting) => {
    const value = getAt(tree.root, setting.path);
    // Only defaults and files were read: a value other than the default comes from the files.
    if (value === undefined || isDeepStrictEqual(value, setting.default)) return [];
    const source = tree.sourceOf(setting.path);
    return [{ setting, value, source: source.startsWith('file ') ? source : 'files' }];
  });
}
