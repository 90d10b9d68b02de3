/**
 * `wazo-config diff <service…>`: live Consul KV against the schema — keys missing from Consul,
 * keys under the prefix that name no setting ("did you mean"), values the loader would reject (its
 * own messages, secrets masked) and values that differ from the default. Exit 1 when a value is
 * invalid; `--json` for machines.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CommandModule } from 'yargs';
import { decodeEntries } from '../runtime/consul/decode.ts';
import { resolveConfig } from '../runtime/load.ts';
import { ConfigError, formatProblem, showValue, type Problem } from '../runtime/problems.ts';
import { indexOf } from '../runtime/settings-index.ts';
import { dotted } from '../runtime/tree.ts';
import type { JsonValue, ServiceSpec } from '../runtime/types.ts';
import type { KvEntry } from '../runtime/consul/client.ts';
import { serviceSpecs } from '../service-specs.ts';
import { openSession, readService, withConsulFlags, type ConsulArgs } from './consul-cli.ts';
import { fileValues, withFileFlags, type FileArgs, type FileValue } from './deployment-files.ts';
import { projectFrom, run, type ProjectArgs } from './run.ts';

interface Args extends ConsulArgs, FileArgs, ProjectArgs {
  services: string[];
  files: boolean;
  json: boolean;
}

export interface ServiceDiff {
  service: string;
  prefix: string;
  /** Keys with a default that Consul lacks (the seed writes them), and required keys without one. */
  missing: { key: string; setting: string; default?: string }[];
  unknown: { key: string; hint: string }[];
  /** The loader's problems: key = the setting, source = `consul <key>`. */
  invalid: Problem[];
  changed: { key: string; setting: string; value: string; default: string }[];
  /** Consul values that hide a different value the service's files set (Consul ranks above them). */
  hiding: { key: string; setting: string; value: string; file: string; source: string }[];
}

export const diffCommand: CommandModule<object, Args> = {
  command: 'diff <services..>',
  describe: 'compare live Consul KV with the schema: missing, unknown, invalid and changed keys',
  builder: (y) =>
    withFileFlags(
      withConsulFlags(
        y
          .positional('services', { type: 'string', array: true, demandOption: true, describe: 'service names' })
          .option('files', {
            type: 'boolean',
            default: true,
            describe: "compare with the service's config files too (--no-files: Consul alone)",
          })
          .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
      ),
    ),
  handler: (argv) => run(() => diff(argv)),
};

async function diff(argv: Args): Promise<number> {
  const specs = await serviceSpecs(projectFrom(argv), argv.services);
  const session = openSession(argv);
  const diffs: ServiceDiff[] = [];
  try {
    for (const service of specs) {
      const { entries } = await readService(session, service, `wazo-config diff ${service.name}`);
      diffs.push(await diffService(service, entries, argv.files ? await fileValues(service, argv) : []));
    }
  } finally {
    session.close();
  }
  if (argv.json) console.log(JSON.stringify(diffs, null, 2));
  else diffs.forEach((d) => console.log(render(d)));
  return diffs.some((d) => d.invalid.length > 0) ? 1 : 0;
}

export async function diffService(
  service: ServiceSpec,
  entries: KvEntry[],
  files: readonly FileValue[] = [],
): Promise<ServiceDiff> {
  const index = indexOf(service);
  const decoded = decodeEntries(entries, index);
  const present = new Set(entries.map((e) => e.key));
  const result: ServiceDiff = {
    service: service.name,
    prefix: service.consulPrefix,
    missing: [],
    unknown: [],
    invalid: [],
    changed: [],
    hiding: [],
  };
  result.unknown = decoded.unknown.map((p) => ({ key: p.source.replace(/^consul /, ''), hint: p.hint ?? '' }));
  // The loader itself judges the values: defaults < these keys, validated whole, with its messages.
  const problems = await loaderProblems(service, decoded);
  result.invalid = problems.filter((p) => p.source.startsWith('consul '));
  // Missing: what the seed would write, and what the service cannot start without (required, no default).
  for (const setting of service.settings) {
    if (present.has(setting.consulKey) || (setting.default === undefined && !setting.required)) continue;
    const row: ServiceDiff['missing'][number] = { key: setting.consulKey, setting: dotted(setting.path) };
    if (setting.default !== undefined) row.default = showValue(setting.default, setting.secret);
    result.missing.push(row);
  }
  const invalidKeys = new Set(result.invalid.map((p) => p.source));
  const fromFiles = new Map(files.map((f) => [f.setting.consulKey, f]));
  for (const { path, value, source } of decoded.layer.values) {
    const setting = index.leafFor(path)!;
    const file = fromFiles.get(setting.consulKey);
    if (file && !invalidKeys.has(source) && !isDeepStrictEqual(value, file.value)) {
      result.hiding.push({
        key: setting.consulKey,
        setting: dotted(path),
        value: showValue(value, setting.secret),
        file: showValue(file.value, setting.secret),
        source: file.source,
      });
    }
    if (invalidKeys.has(source) || isDeepStrictEqual(value, setting.default)) continue;
    result.changed.push({
      key: setting.consulKey,
      setting: dotted(path),
      value: showValue(value, setting.secret),
      default: setting.default === undefined ? '(none)' : showValue(setting.default as JsonValue, setting.secret),
    });
  }
  return result;
}

async function loaderProblems(service: ServiceSpec, decoded: ReturnType<typeof decodeEntries>): Promise<Problem[]> {
  try {
    // Only what Consul holds, over the defaults: the files and the environment are this host's, not the deployment's.
    await resolveConfig(service, {
      pemFiles: false, // a report writes no files
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      replaceSources: {
        files: false,
        consul: { name: 'consul', read: async () => ({ layers: [decoded.layer], problems: decoded.invalid }) },
        discovered: false,
        connect: false,
        env: false,
      },
    });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}

function render(d: ServiceDiff): string {
  const hiding = d.hiding.length > 0 ? `, ${d.hiding.length} hiding a file's value` : '';
  const lines = [
    `${d.service} (Consul ${d.prefix}/): ${d.missing.length} missing, ${d.unknown.length} unknown, ${d.invalid.length} invalid, ${d.changed.length} changed${hiding}`,
  ];
  for (const m of d.missing)
    lines.push(
      `  missing  ${m.key}${m.default === undefined ? ' (required: the schema gives no default)' : ` (default ${m.default})`}`,
    );
  for (const u of d.unknown) lines.push(`  unknown  ${u.key}: ${u.hint}`);
  for (const p of d.invalid) lines.push(`  invalid  ${formatProblem(p)}`);
  for (const c of d.changed) lines.push(`  changed  ${c.key}: ${c.value} (default ${c.default})`);
  for (const h of d.hiding)
    lines.push(`  hides    ${h.key}: ${h.value} hides ${h.file} from ${h.source} (Consul ranks above files)`);
  return lines.join('\n');
}
