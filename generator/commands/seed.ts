/**
 * `wazo-config seed <service…>`: moves what a deployment sets into Consul. By default, the values
 * the service's config files (config.yml + conf.d) set that differ from the schema defaults: the
 * move from files to Consul. Writing every default instead (`--defaults`, from
 * `generated/<service>/consul-seed.json`) would hide the files, since Consul ranks above them,
 * and would pin today's defaults against a later schema change: it is explicit, and says which
 * file values it hides. A required setting never gets a value seed made up.
 *
 * Create-only by default: each write is a `cas` with index 0 inside a transaction, so a value an
 * operator set is never overwritten, even one set while seeding. `--overwrite` replaces differing
 * values (a `cas` on the index read, so a concurrent change still aborts). Transactions of at
 * most 64 operations, each all-or-nothing: Consul takes 128 since 1.14 and 64
 * before, and a seed must work on both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { SeedEntry } from '../emit/consul-seed.ts';
import type { ConsulClient, KvEntry, TxnKvOp, TxnResult } from '../runtime/consul/client.ts';
import { ConsulFailure } from '../runtime/consul/failure.ts';
import { showValue } from '../runtime/problems.ts';
import type { ServiceSpec } from '../runtime/types.ts';
import { serviceSpecs } from '../service-specs.ts';
import { encode } from '../runtime/codec.ts';
import { clientOf, openSession, Progress, readService, withConsulFlags, type ConsulArgs } from './consul-cli.ts';
import { fileValues, withFileFlags, type FileArgs, type FileValue } from './deployment-files.ts';
import { projectFrom, run, UserError, type ProjectArgs } from './run.ts';

/** Consul ≥ 1.14 takes 128, older agents 64: stay within both. */
export const MAX_TXN_OPS = 64;

interface Args extends ConsulArgs, FileArgs, ProjectArgs {
  services: string[];
  overwrite: boolean;
  defaults: boolean;
  'dry-run': boolean;
}

type Change = {
  kind: 'create' | 'update' | 'unchanged' | 'kept';
  key: string;
  text: string;
  current?: KvEntry;
  op?: TxnKvOp;
  from: string;
};

/** An entry to write, and where its value comes from (`file …`, or `default`). */
type Planned = SeedEntry & { from: string };

export const seedCommand: CommandModule<object, Args> = {
  command: 'seed <services..>',
  describe:
    "write into Consul KV what the service's config files set beyond the defaults (create-only unless --overwrite)",
  builder: (y) =>
    withFileFlags(
      withConsulFlags(
        y
          .positional('services', { type: 'string', array: true, demandOption: true, describe: 'service names' })
          .option('defaults', {
            type: 'boolean',
            default: false,
            describe: 'write every schema default instead (Consul ranks above files: says which file values it hides)',
          })
          .option('overwrite', {
            type: 'boolean',
            default: false,
            describe: 'also replace values Consul already holds',
          })
          .option('dry-run', { type: 'boolean', default: false, describe: 'write nothing; print the plan' }),
      ),
    ),
  handler: (argv) => run(() => seed(argv)),
};

async function seed(argv: Args): Promise<number> {
  const project = projectFrom(argv);
  // The seed file was generated from a checked schema; the spec only gives the prefix and which keys are secret.
  const specs = await serviceSpecs(project, argv.services, { check: false });
  const session = openSession(argv);
  try {
    const plans: { service: ServiceSpec; changes: Change[]; hidden: FileValue[] }[] = [];
    for (const service of specs) {
      const files = await fileValues(service, argv);
      const wanted = argv.defaults ? defaultEntries(project.out, service) : files.map(entryOf);
      const { entries } = await readService(session, service, `wazo-config seed ${service.name}`);
      const changes = plan(wanted, entries, argv.overwrite);
      const written = new Set(changes.filter((c) => c.op).map((c) => c.key));
      plans.push({
        service,
        changes,
        hidden: argv.defaults ? files.filter((f) => written.has(f.setting.consulKey)) : [],
      });
    }
    const writes = plans.flatMap((p) => p.changes.filter((c) => c.op));
    const progress = argv['dry-run'] ? undefined : new Progress(writes.length);
    // Every prefix was read (and its ACLs checked) before anything is written.
    const kv = argv['dry-run'] || writes.length === 0 ? undefined : await clientOf(session);
    for (const { service, changes, hidden } of plans) {
      printHidden(service, hidden, argv['dry-run']);
      if (argv['dry-run']) printChanges(service, changes);
      else if (kv) await write(kv, service, changes, progress!);
      console.log(summary(service, changes, argv));
    }
    return 0;
  } finally {
    session.close();
  }
}

/** `--defaults`: the generated seed file, without the required settings (they have no default). */
function defaultEntries(out: string, service: ServiceSpec): Planned[] {
  // The entries were just parsed and are this function's alone: marked in place, not copied.
  const entries = readSeedFile(out, service.name) as Planned[];
  for (const entry of entries) entry.from = 'default';
  return entries;
}

function entryOf({ setting, value, source }: FileValue): Planned {
  return {
    key: setting.consulKey,
    flags: 0,
    value: Buffer.from(encode(value, setting), 'utf8').toString('base64'),
    from: source,
  };
}

function readSeedFile(out: string, service: string): SeedEntry[] {
  const path = join(out, service, 'consul-seed.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SeedEntry[];
  } catch (error) {
    throw new UserError(
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run \`wazo-config generate\``,
    );
  }
}

function plan(seedEntries: Planned[], current: KvEntry[], overwrite: boolean): Change[] {
  const byKey = new Map(current.map((e) => [e.key, e]));
  return seedEntries.map(({ key, value, flags, from }): Change => {
    const text = Buffer.from(value, 'base64').toString('utf8');
    const existing = byKey.get(key);
    // A `cas` at index 0 creates only; at the index read, replaces only what was read.
    const cas = (index: number): TxnKvOp => ({
      KV: { Verb: 'cas', Key: key, Value: value, Flags: flags, Index: index },
    });
    if (!existing) return { kind: 'create', key, text, from, op: cas(0) };
    if ((existing.value ?? '') === text) return { kind: 'unchanged', key, text, from, current: existing };
    if (overwrite) return { kind: 'update', key, text, from, current: existing, op: cas(existing.modifyIndex) };
    return { kind: 'kept', key, text, from, current: existing };
  });
}

/** What `--defaults` hides: file values Consul's default will rank above. */
function printHidden(service: ServiceSpec, hidden: FileValue[], dryRun: boolean): void {
  if (hidden.length === 0) return;
  console.log(
    `${service.name}: ${dryRun ? 'would hide' : 'hides'} ${hidden.length} value${hidden.length === 1 ? '' : 's'} set in files (Consul ranks above config files):`,
  );
  for (const { setting, value, source } of hidden) {
    console.log(
      `  ! ${setting.consulKey}: the default ${showValue(setting.default, setting.secret)} hides ${showValue(value, setting.secret)} from ${source}`,
    );
  }
}

async function write(kv: ConsulClient, service: ServiceSpec, changes: Change[], progress: Progress): Promise<void> {
  const ops = changes.flatMap((c) => (c.op ? [c.op] : []));
  let written = 0;
  for (let start = 0; start < ops.length; start += MAX_TXN_OPS) {
    const batch = ops.slice(start, start + MAX_TXN_OPS);
    let result: TxnResult;
    try {
      result = await kv.txn(batch);
    } catch (error) {
      if (!(error instanceof ConsulFailure)) throw error;
      progress.end();
      // The answer may be lost after Consul applied the writes: say what may be in, and that a rerun is safe.
      throw new UserError(
        `${service.name}: a transaction of ${batch.length} writes failed: ${error.detail}\n` +
          `${written} writes were applied before it; this one may or may not have been (Consul applies a transaction whole or not at all). ` +
          'Run the seed again: it writes only what is missing, and never replaces a value set meanwhile.',
      );
    }
    if (!result.ok) {
      progress.end();
      const reasons = result.errors.map(
        (e) => `  - ${batch[e.OpIndex]?.KV.Key ?? `operation ${e.OpIndex}`}: ${e.What}`,
      );
      const stale = result.errors.some((e) => /index is stale/.test(e.What));
      throw new UserError(
        `${service.name}: Consul rolled back a transaction of ${batch.length} writes; none of them was written ` +
          `(${written} written before it):\n${reasons.join('\n')}\n` +
          (stale
            ? 'Those keys changed in Consul while seeding; run the seed again.'
            : 'Fix the cause, then run the seed again: it only writes what is missing.'),
      );
    }
    written += batch.length;
    progress.add(batch.length);
  }
  if (ops.length > 0) progress.end();
}

function printChanges(service: ServiceSpec, changes: Change[]): void {
  const secret = new Set(service.settings.filter((s) => s.secret).map((s) => s.consulKey));
  const show = (text: string | null | undefined, key: string) => showValue(text ?? '', secret.has(key));
  console.log(`${service.name} (Consul ${service.consulPrefix}/):`);
  for (const c of changes) {
    const from = c.from === 'default' ? 'default' : `from ${c.from}`;
    if (c.kind === 'create') console.log(`  + ${c.key} = ${show(c.text, c.key)} (${from})`);
    else if (c.kind === 'update')
      console.log(`  ~ ${c.key}: ${show(c.current?.value, c.key)} → ${show(c.text, c.key)} (${from})`);
    else if (c.kind === 'kept')
      console.log(`  = ${c.key}: keeps ${show(c.current?.value, c.key)} (${c.from} ${show(c.text, c.key)})`);
  }
}

function summary(service: ServiceSpec, changes: Change[], argv: Args): string {
  const { 'dry-run': dryRun, overwrite } = argv;
  const count = (kind: Change['kind']) => changes.filter((c) => c.kind === kind).length;
  if (changes.length === 0 && !argv.defaults) {
    return `${service.name}: nothing to seed: no config file sets a value other than the schema defaults (--defaults writes the defaults themselves)`;
  }
  const parts = [`${dryRun ? 'would create' : 'created'} ${count('create')}`];
  if (overwrite) parts.push(`${dryRun ? 'would update' : 'updated'} ${count('update')}`);
  parts.push(`unchanged ${count('unchanged')}`);
  if (!overwrite)
    parts.push(`kept ${count('kept')}${count('kept') > 0 ? ' (values set in Consul; --overwrite replaces them)' : ''}`);
  return `${service.name}: ${parts.join(', ')}`;
}
