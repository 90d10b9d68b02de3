/**
 * loadConfig() of generated loaders for synthetic services of 100, 1,000 and 10,000 settings (defaults +
 * a YAML file setting ~30% of the keys + env vars setting ~10%, validated), beside convict and
 * env-schema loading the same settings in the same run.
 */
import { isDeepStrictEqual } from 'node:util';
import { getAt } from '../generator/runtime/tree.ts';
import { loadFixtures, silent } from './load-config.ts';
import { convictLoad, dottedPath, envSchemaLoad, PEER_NOTES, type LoadOp } from './peers.ts';
import type { Bench, Table } from './section.ts';
import { compare, DEFAULT_MEASURE, formatMs, formatRatio, type MeasureOptions } from './stats.ts';
import type { SyntheticService } from './synthetic-schema.ts';

/**
 * The sizes measured; `WAZO_BENCH_LOAD_SIZES=100,1000` leaves out the 10,000 settings, whose loader takes a minute to
 * generate.
 */
const SIZES = (process.env.WAZO_BENCH_LOAD_SIZES ?? '100,1000,10000').split(',').map(Number);
/** At 10,000 settings one convict load takes seconds: ten runs each, in two rounds, rather than thirty. */
const LARGE: MeasureOptions = { ...DEFAULT_MEASURE, minRuns: 10, rounds: 2 };
/**
 * wazo-config's targets, as a ratio of each peer's median time, by number of settings (none set at 10,000: the row
 * shows the cost stays linear).
 */
const TARGETS: Record<number, { convict: number; 'env-schema': number } | undefined> = {
  100: { convict: 0.25, 'env-schema': 0.8 },
  1000: { convict: 0.1, 'env-schema': 0.8 },
};

interface Op {
  loader: string;
  run: LoadOp;
  /** The loaded value of a leaf, for the check that every loader loaded the same thing. */
  valueOf(result: unknown, path: readonly string[], env: string): unknown;
}

/** Runs every op once and checks that each loaded the expected value of every leaf. */
async function checkSameSettings(service: SyntheticService, ops: Op[], envNames: Map<string, string>): Promise<void> {
  for (const op of ops) {
    const result = await op.run();
    for (const leaf of service.leaves) {
      const got = op.valueOf(result, leaf.path, envNames.get(dottedPath(leaf.path))!);
      const want = service.expected(leaf);
      if (!isDeepStrictEqual(got, want)) {
        throw new Error(
          `${op.loader} loaded ${dottedPath(leaf.path)} = ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
        );
      }
    }
  }
}

const bench: Bench = {
  name: 'load',
  // First, while the process is fresh: generation leaves a large heap behind.
  order: 10,
  async run() {
    const { project, fixtures } = await loadFixtures(SIZES);
    try {
      const table: Table = {
        columns: ['settings', 'loader', 'median', 'p95', 'runs', 'wazo-config ÷ loader', 'target', 'met'],
        rows: [],
        numeric: [0, 2, 3, 4, 5],
      };
      const verdicts: string[] = [];
      for (const { service, loader, envNames, file, env, load } of fixtures) {
        const nested = (result: unknown, path: readonly string[]) => getAt(result as never, path);

        const ops: Op[] = [
          { loader: 'wazo-config', run: load, valueOf: nested },
          { loader: 'convict', run: convictLoad(service, envNames, file, env), valueOf: nested },
          {
            loader: 'env-schema',
            run: envSchemaLoad(service, envNames, file, env),
            valueOf: (result, _path, name) => (result as Record<string, unknown>)[name],
          },
        ];
        await checkSameSettings(service, ops, envNames);
        const defaultsOnly: Op = {
          loader: 'wazo-config, defaults only',
          run: () => loader.loadConfig({ configFile: false, configDir: false, env: {}, logger: silent }),
          valueOf: nested,
        };

        const timings = await compare(
          new Map([...ops, defaultsOnly].map((op) => [op.loader, op.run])),
          service.leaves.length >= 10_000 ? LARGE : DEFAULT_MEASURE,
        );
        const ours = timings.get('wazo-config')!.median;
        const targets = TARGETS[service.leaves.length];
        for (const [loader, t] of timings) {
          const ratio = ours / t.median;
          const target = targets?.[loader as keyof typeof targets];
          const [targetText, met] =
            target === undefined ? ['', ''] : [`≤ ${target}×`, ratio <= target ? 'yes' : '**no**'];
          table.rows.push([
            String(service.leaves.length),
            loader,
            formatMs(t.median),
            formatMs(t.p95),
            String(t.runs),
            loader.startsWith('wazo-config') ? '' : formatRatio(ratio),
            targetText,
            met,
          ]);
          if (target !== undefined) {
            verdicts.push(
              `${service.leaves.length} settings: wazo-config takes ${formatRatio(ratio)} ${loader}'s median time — ` +
                (ratio <= target ? `within the ≤ ${target}× target.` : `**over the ≤ ${target}× target.**`),
            );
          }
        }
      }
      const counts = fixtures.map(
        ({ service: s }) =>
          `${s.leaves.length}: ${s.leaves.filter((l) => l.fileValue !== undefined).length} in the file, ${s.leaves.filter((l) => l.env).length} in the env`,
      );
      return {
        title: 'Loading a configuration',
        intro: [
          'One op loads a whole configuration: schema defaults, then a YAML config file setting ~30% of the keys, then env vars setting ~10% ' +
            `(some of them also in the file), plus 40 unrelated env vars, as a process has; validated (${counts.join('; ')}). ` +
            'The synthetic schemas mix strings (30%), integers with a range (20%), booleans (15%), enums and numbers (10% each), nullable strings, ' +
            'string lists and open maps of booleans (5% each), in groups nested up to 3 deep (bench/synthetic-schema.ts). ' +
            'Before timing, every loader’s result is checked to hold the same value for every key.',
        ],
        tables: [table],
        notes: [
          ...verdicts,
          '`wazo-config ÷ loader` is the ratio of median times: below 1 means wazo-config is faster.',
          ...(SIZES.includes(10000)
            ? [
                '10,000 settings: no target; the row shows that the cost stays linear (ten runs of each loader, convict taking seconds a load).',
              ]
            : []),
          '“defaults only” is the same loader with no file and no env: the fixed cost of the defaults, merge, unknown-key check and validation.',
          'Where wazo-config’s time goes: `node --conditions=wazo-config-source --import tsx bench/profile-load.ts 1000` writes a CPU profile of the load op alone.',
          ...PEER_NOTES,
        ],
      };
    } finally {
      project.dispose();
    }
  },
};

export default bench;
