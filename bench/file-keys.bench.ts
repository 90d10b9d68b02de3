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
/** Linear: the cost per key at 100,000 keys at most this many times the cost per key at 1,000. */
const LINEAR_FACTOR = 2;

async function medianMs(runs: number, op: () => unknown): Promise<number> {
  await op();
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
          'per key ÷ at 1,000',
          'target',
          'met',
        ],
        rows: [],
        numeric: [0, 1, 2, 3, 4],
      };
      let perKeyAt1000 = 0;
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
        const growth = perKey / perKeyAt1000;
        const judged = keys > 1_000;
        table.rows.push([
          String(keys),
          formatMs(parse),
          formatMs(load),
          `${(perKey * 1000).toFixed(1)} µs`,
          judged ? `${growth.toFixed(2)}×` : '',
          judged ? `≤ ${LINEAR_FACTOR}× (linear)` : '',
          judged ? (growth <= LINEAR_FACTOR ? 'yes' : '**no**') : '',
        ]);
      }
      return {
        title: 'One file with many keys',
        intro: [
          'A wazo-auth config file whose `enabled_backend_plugins` map has 1,000, 10,000 or 100,000 keys: the parser alone, ' +
            'and `loadConfig()` of the file (no Consul, no env), median of a few runs. A linear cost keeps the time per key flat.',
        ],
        tables: [table],
        notes: [
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
