/**
 * `wazo-config explain <service>`: the effective configuration, loaded exactly as the service
 * loads it (defaults < files < Consul < env), with the source of every value; secrets masked.
 */
import type { CommandModule } from 'yargs';
import { resolveConfig } from '../runtime/load.ts';
import { MASK } from '../runtime/problems.ts';
import { dotted, getAt, sourceRows } from '../runtime/tree.ts';
import type { JsonValue } from '../runtime/types.ts';
import { serviceSpecs } from '../service-specs.ts';
import { consulOptionsOf, withConsulFlags, type ConsulArgs } from './consul-cli.ts';
import { withFileFlags, type FileArgs } from './deployment-files.ts';
import { projectFrom, run, type ProjectArgs } from './run.ts';

interface Args extends ConsulArgs, FileArgs, ProjectArgs {
  service: string;
  files: boolean;
  consul: boolean;
  json: boolean;
}

/** One setting, or one entry of a map setting (each entry has its own source). */
export interface ExplainedSetting {
  key: string;
  /** The value itself, or the mask for secrets; absent when nothing sets it. */
  value?: JsonValue;
  source: string;
}

/** Longer values are cut in the table (`--json` has them whole). */
const VALUE_WIDTH = 40;

export const explainCommand: CommandModule<object, Args> = {
  command: 'explain <service>',
  describe: 'the effective configuration of a service, with the source of every value (secrets masked)',
  builder: (y) =>
    withFileFlags(
      withConsulFlags(
        y
          .positional('service', { type: 'string', demandOption: true, describe: 'service name' })
          .option('files', { type: 'boolean', default: true, describe: 'read config files (--no-files: none)' })
          .option('consul', {
            type: 'boolean',
            default: true,
            describe: 'read Consul when located (--no-consul: never)',
          })
          .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
      ),
    ),
  handler: (argv) => run(() => explain(argv)),
};

async function explain(argv: Args): Promise<number> {
  const [service] = await serviceSpecs(projectFrom(argv), [argv.service]);
  const { tree } = await resolveConfig(service!, {
    pemFiles: false, // a report writes no files
    configFile: argv.files ? argv['config-file'] : false,
    configDir: argv.files ? argv['config-dir'] : false,
    consul: argv.consul ? consulOptionsOf(argv, false) : false,
  });
  const secret = new Set<string>();
  const rows: ExplainedSetting[] = service!.settings.flatMap((setting) =>
    sourceRows(tree, setting).map(({ path, source }) => {
      const key = dotted(path);
      const value = getAt(tree.root, path);
      if (value === undefined) return { key, source: 'nothing' };
      if (setting.secret) secret.add(key);
      return { key, value: setting.secret ? MASK : value, source };
    }),
  );
  if (argv.json) {
    console.log(JSON.stringify({ service: service!.name, settings: rows }, null, 2));
    return 0;
  }
  const keyWidth = Math.max(...rows.map((r) => r.key.length));
  const shown = rows.map((r) => {
    if (r.value === undefined) return '(unset)';
    const text = secret.has(r.key) ? MASK : JSON.stringify(r.value);
    return text.length > VALUE_WIDTH ? `${text.slice(0, VALUE_WIDTH - 3)}...` : text;
  });
  const valueWidth = Math.max(...shown.map((v) => v.length));
  console.log(`${service!.name}: effective configuration (defaults < files < Consul < env)`);
  rows.forEach((r, i) => console.log(`  ${r.key.padEnd(keyWidth)}  ${shown[i]!.padEnd(valueWidth)}  ${r.source}`));
  return 0;
}
