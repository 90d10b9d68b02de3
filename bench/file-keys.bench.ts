/**
 * One config file of 1,000 / 10,000 / 100,000 keys (a map setting of wazo-auth with that many
 * entries): the parser alone (js-yaml with PyYAML's rules, generator/runtime/yaml11.ts) and a whole
 * loadConfig() of the file. The cost per key must stay flat: parsing and loading are linear.
 * bench/yaml-parsers.ts adds the `yaml` library the loader used before, which is quadratic here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../generated/wazo-auth/config.ts';
import { parseYaml11 } from '../generator/runtime/yaml11.ts';
import { silent } from './load-config.ts';
import type { Bench, Table } from './section.ts';
import { formatMs, summarise, timed } from './stats.ts';

const SIZES = [1_000, 10_000, 100_000];
/**
 * Linear: the cost per key grows at most this much from one size to the next, ten times larger. A
 * quadratic step multiplies it by 10 (the `yaml` library's 8,000 → 32,000 keys took 11.6× longer per
 * key); a linear one stays near 1, plus what a larger heap costs (garbage collection, cache misses).
 */
const LINEAR_FACTOR = 2;

async function medianMs(runs: number, op: () => unknown): Promise<number> {
  // As many warm-up runs as measured ones: the first size would otherwise pay for compiling the code.
  for (let n = 0; n < runs; n++) await op();
  const samples: number[] = [];
  for (let n = 0; n < runs; n++) samples.push((await timed(op)).ms);
  return summarise(samples).median;
}

const bench: Bench = {
  name: 'file-keys',
  order: 12,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'wazo-config-bench-keys-'));
    try {
      const table: Table = {
        columns: [
          'keys in the file',
          'parse',
          'loadConfig()',
          'loadConfig() per key',
          'of it, not parsing',
          'per key ÷ at 1,000',
          'per key ÷ at ÷10 keys',
          'target',
          'met',
        ],
        rows: [],
        numeric: [0, 1, 2, 3, 4, 5, 6],
      };
      let perKeyAt1000 = 0;
      let perKeyBefore = 0;
      const growths: number[] = [];
      for (const keys of SIZES) {
        const text =
          ['enabled_backend_plugins:', ...Array.from({ length: keys }, (_, n) => `  plugin_${n}: true`)].join('\n') +
          '\n';
        const file = join(dir, `${keys}.yml`);
        writeFileSync(file, text);
        const runs = keys >= 100_000 ? 3 : keys >= 10_000 ? 5 : 20;
        const parse = await medianMs(runs, () => parseYaml11(text));
        const load = await medianMs(runs, () =>
          loadConfig({ configFile: file, configDir: false, env: {}, consul: false, logger: silent }),
        );
        const perKey = load / keys;
        if (keys === 1_000) perKeyAt1000 = perKey;
        const growth = perKey / perKeyBefore;
        const judged = keys > 1_000;
        table.rows.push([
          String(keys),
          formatMs(parse),
          formatMs(load),
          `${(perKey * 1000).toFixed(1)} µs`,
          `${(((load - parse) / keys) * 1000).toFixed(1)} µs`,
          judged ? `${(perKey / perKeyAt1000).toFixed(2)}×` : '',
          judged ? `${growth.toFixed(2)}×` : '',
          judged ? `≤ ${LINEAR_FACTOR}× (linear)` : '',
          judged ? (growth <= LINEAR_FACTOR ? 'yes' : '**no**') : '',
        ]);
        if (judged) growths.push(growth);
        perKeyBefore = perKey;
      }
      const steps = growths.map((g) => `${g.toFixed(2)}×`).join(' and ');
      return {
        title: 'One file with many keys',
        intro: [
          'A wazo-auth config file whose `enabled_backend_plugins` map has 1,000, 10,000 or 100,000 keys: the parser alone, ' +
            'and `loadConfig()` of the file (no Consul, no env), median of a few runs. A linear cost keeps the time per key flat.',
        ],
        tables: [table],
        notes: [
          'Linearity is judged from one size to the next, ten times larger: a quadratic cost multiplies the time per key ' +
            `by 10 at each step (the \`yaml\` library did), a linear one keeps it flat. Here a step multiplies it by ${steps}: ` +
            'nothing is quadratic, but both parts pay for a larger heap. The parser holds two event objects per key until ' +
            'it builds the value (js-yaml 5 parses to an array of events first), and the loader adds every key to one ' +
            'object and one map of sources (the “not parsing” column), which V8 grows and rehashes; past 10,000 keys they ' +
            'outlive the young generation and the garbage collector copies and marks them.',
          'The parser is js-yaml with PyYAML’s rules (event parser, linear in the text); the `yaml` library the loader used ' +
            'before took 1.2 s for 8,000 keys and 13.9 s for 32,000 (`bench/yaml-parsers.ts` compares both).',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
