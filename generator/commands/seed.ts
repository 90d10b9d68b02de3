/**
 * `wazo-config seed <service…>`: writes `generated/<service>/consul-seed.json` (the schema
 * defaults) into Consul. Create-only by default: each write is a `cas` with index 0 inside a
 * transaction, so a value an operator set is never overwritten, even one set while seeding.
 * `--overwrite` replaces differing values (a `cas` on the index read, so a concurrent change
 * still aborts). Transactions of at most 64 operations, each all-or-nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import type { SeedEntry } from '../emit/consul-seed.ts';
import type { ConsulKv, KvEntry, TxnKvOp } from '../runtime/consul/client.ts';
import { showValue } from '../runtime/problems.ts';
import type { ServiceSpec } from '../runtime/types.ts';
import { serviceSpecs } from '../service-specs.ts';
import { openConsul, Progress, readService, withConsulFlags, type ConsulArgs } from './consul-cli.ts';
import { projectRoot, run, UserError } from './run.ts';

/** Consul ≥ 1.14 takes 128, older agents 64: stay within both. */
export const MAX_TXN_OPS = 64;

interface Args extends ConsulArgs {
  services: string[];
  overwrite: boolean;
  'dry-run': boolean;
}

type Change = { kind: 'create' | 'update' | 'unchanged' | 'kept'; key: string; text: string; current?: KvEntry; op?: TxnKvOp };

export const seedCommand: CommandModule<object, Args> = {
  command: 'seed <services..>',
  describe: 'write schema defaults into Consul KV (create-only unless --overwrite)',
  builder: (y) =>
    withConsulFlags(
      y
        .positional('services', { type: 'string', array: true, demandOption: true, describe: 'service names' })
        .option('overwrite', { type: 'boolean', default: false, describe: 'also replace values that differ from the defaults' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'write nothing; print what would change' }),
    ),
  handler: (argv) => run(() => seed(argv)),
};

async function seed(argv: Args): Promise<number> {
  const root = projectRoot();
  const specs = await serviceSpecs(root, argv.services);
  const kv = openConsul(argv);
  try {
    const plans: { service: ServiceSpec; changes: Change[] }[] = [];
    for (const service of specs) {
      const { entries } = await readService(kv, service, `wazo-config seed ${service.name}`);
      plans.push({ service, changes: plan(readSeedFile(root, service.name), entries, argv.overwrite) });
    }
    const writes = plans.flatMap((p) => p.changes.filter((c) => c.op));
    const progress = argv['dry-run'] ? undefined : new Progress(writes.length);
    for (const { service, changes } of plans) {
      if (argv['dry-run']) printChanges(service, changes);
      else await write(kv, service, changes, progress!);
      console.log(summary(service, changes, argv['dry-run'], argv.overwrite));
    }
    return 0;
  } finally {
    kv.close();
  }
}

function readSeedFile(root: string, service: string): SeedEntry[] {
  const path = join(root, 'generated', service, 'consul-seed.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SeedEntry[];
  } catch (error) {
    throw new UserError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); run \`npm run generate\``);
  }
}

function plan(seedEntries: SeedEntry[], current: KvEntry[], overwrite: boolean): Change[] {
  const byKey = new Map(current.map((e) => [e.key, e]));
  return seedEntries.map((entry): Change => {
    const text = Buffer.from(entry.value, 'base64').toString('utf8');
    const existing = byKey.get(entry.key);
    const op = (index: number): TxnKvOp => ({ KV: { Verb: 'cas', Key: entry.key, Value: entry.value, Flags: entry.flags, Index: index } });
    if (!existing) return { kind: 'create', key: entry.key, text, op: op(0) };
    if ((existing.value ?? '') === text) return { kind: 'unchanged', key: entry.key, text, current: existing };
    if (overwrite) return { kind: 'update', key: entry.key, text, current: existing, op: op(existing.modifyIndex) };
    return { kind: 'kept', key: entry.key, text, current: existing };
  });
}

async function write(kv: ConsulKv, service: ServiceSpec, changes: Change[], progress: Progress): Promise<void> {
  const ops = changes.flatMap((c) => (c.op ? [c.op] : []));
  let written = 0;
  for (let start = 0; start < ops.length; start += MAX_TXN_OPS) {
    const batch = ops.slice(start, start + MAX_TXN_OPS);
    const result = await kv.txn(batch);
    if (!result.ok) {
      progress.end();
      const reasons = result.errors.map((e) => `  - ${batch[e.OpIndex]?.KV.Key ?? `operation ${e.OpIndex}`}: ${e.What}`);
      const stale = result.errors.some((e) => /index is stale/.test(e.What));
      throw new UserError(
        `${service.name}: Consul rolled back a transaction of ${batch.length} writes; none of them was written ` +
          `(${written} written before it):\n${reasons.join('\n')}\n` +
          (stale ? 'Those keys changed in Consul while seeding; run the seed again.' : 'Fix the cause, then run the seed again: it only writes what is missing.'),
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
    if (c.kind === 'create') console.log(`  + ${c.key} = ${show(c.text, c.key)}`);
    else if (c.kind === 'update') console.log(`  ~ ${c.key}: ${show(c.current?.value, c.key)} → ${show(c.text, c.key)}`);
    else if (c.kind === 'kept') console.log(`  = ${c.key}: keeps ${show(c.current?.value, c.key)} (default ${show(c.text, c.key)})`);
  }
}

function summary(service: ServiceSpec, changes: Change[], dryRun: boolean, overwrite: boolean): string {
  const count = (kind: Change['kind']) => changes.filter((c) => c.kind === kind).length;
  const parts = [`${dryRun ? 'would create' : 'created'} ${count('create')}`];
  if (overwrite) parts.push(`${dryRun ? 'would update' : 'updated'} ${count('update')}`);
  parts.push(`unchanged ${count('unchanged')}`);
  if (!overwrite) parts.push(`kept ${count('kept')}${count('kept') > 0 ? ' (values set in Consul; --overwrite replaces them)' : ''}`);
  return `${service.name}: ${parts.join(', ')}`;
}
