/**
 * One config file of 1,000 / 10,000 / 100,000 keys (a map setting of wazo-auth with that many
 * entries): the parser alone (js-yaml with PyYAML's rules, generator/runtime/yaml11.ts), a whole
 * loadConfig() of the file, and V8's own JSON.parse of the same map as the reference for what a
 * linear parser costs per key on this heap. bench/yaml-parsers.ts adds the `yaml` library the
 * loader used before, which is quadratic here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../generated/wazo-auth/config.ts';
import { parseYaml11 } from '../generator/runtime/yaml11.ts';
import { silent } from './load-config.ts';
import type { Bench, Table } from './section.ts';
import { compare, formatMs } from './stats.ts';

const SIZES = [1_000, 10_000, 100_000];
/**
 * Linear: from one size to the next, ten times larger, the loader's cost per key grows at most this
 * much more than JSON.parse's. A quadratic step multiplies the cost per key by 10 (the `yaml`
 * library's 8,000 → 32,000 keys took 11.6× longer per key), so ~4× more than JSON.parse's; a
 * linear one grows as JSON.parse's does (1×): both pay the same larger heap.
 */
const LINEAR_FACTOR = 2;

const perKeyUs = (ms: number, keys: number) => `${((ms / keys) * 1000).toFixed(2)} µs`;

const bench: Bench = {
  name: 'file-keys',
  order: 12,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'wazo-config-bench-keys-'));
    try {
      const table: Table = {
        columns: [
          'keys in the file',
          'JSON.parse per key',
          'parse per key',
          'loadConfig()',
          'loadConfig() per key',
          'loadConfig() ÷ JSON.parse',
          'that ÷ at ÷10 keys',
          'target',
          'met',
        ],
        rows: [],
        numeric: [0, 1, 2, 3, 4, 5, 6],
      };
      const growth: { json: number[]; load: number[] } = { json: [], load: [] };
      let before: { json: number; load: number } | undefined;
      for (const keys of SIZES) {
        const entries = Array.from({ length: keys }, (_, n) => `plugin_${n}`);
        const text = ['enabled_backend_plugins:', ...entries.map((key) => `  ${key}: true`)].join('\n') + '\n';
        const json = JSON.stringify({ enabled_backend_plugins: Object.fromEntries(entries.map((key) => [key, true])) });
        const file = join(dir, `${keys}.yml`);
        writeFileSync(file, text);
        // The three take turns (stats.ts compare): a garbage collection or a busy patch of the machine falls on each.
        const runs = keys >= 100_000 ? 7 : keys >= 10_000 ? 25 : 100;
        const timings = await compare(
          new Map<string, () => unknown>([
            ['json', () => JSON.parse(json)],
            ['parse', () => parseYaml11(text)],
            ['load', () => loadConfig({ configFile: file, configDir: false, env: {}, consul: false, logger: silent })],
          ]),
          { warmupMs: 0, budgetMs: 0, minRuns: runs, maxRuns: runs, rounds: runs },
        );
        const parsedJson = timings.get('json')!.median;
        const parse = timings.get('parse')!.median;
        const load = timings.get('load')!.median;
        const ratio = load / parsedJson;
        const step = before ? ratio / (before.load / before.json) : NaN;
        if (before) {
          growth.json.push(parsedJson / keys / (before.json / (keys / 10)));
          growth.load.push(load / keys / (before.load / (keys / 10)));
        }
        const judged = before !== undefined;
        table.rows.push([
          String(keys),
          perKeyUs(parsedJson, keys),
          perKeyUs(parse, keys),
          formatMs(load),
          perKeyUs(load, keys),
          `${ratio.toFixed(1)}×`,
          judged ? `${step.toFixed(2)}×` : '',
          judged ? `≤ ${LINEAR_FACTOR}× (linear)` : '',
          judged ? (step <= LINEAR_FACTOR ? 'yes' : '**no**') : '',
        ]);
        before = { json: parsedJson, load };
      }
      const steps = (list: number[]) => list.map((g) => `${g.toFixed(2)}×`).join(' and ');
      return {
        title: 'One file with many keys',
        intro: [
          'A wazo-auth config file whose `enabled_backend_plugins` map has 1,000, 10,000 or 100,000 keys: the parser ' +
            'alone, `loadConfig()` of the file (no Consul, no env), and V8’s native `JSON.parse` of the same map as JSON ' +
            'text, taking turns, medians. JSON.parse is the reference for a linear parser building that object on this heap.',
        ],
        tables: [table],
        notes: [
          `Per tenfold step, JSON.parse’s cost per key grows ${steps(growth.json)} and the loader’s ${steps(growth.load)}. ` +
            'Neither is quadratic (that is 10× per step: the `yaml` library took 1.2 s for 8,000 keys and 13.9 s for ' +
            '32,000); the growth of both is the heap’s: an object of 100,000 keys and its 100,000 key strings outgrow the ' +
            'caches and the young generation, and the garbage collector copies and marks them. So linearity is judged ' +
            'against JSON.parse measured in the same run: the loader’s time per key may grow at most ' +
            `${LINEAR_FACTOR}× more than JSON.parse’s from one size to the next (a quadratic cost would show about 4×).`,
          'The parser is js-yaml with PyYAML’s rules (an event parser, linear in the text; it holds two event objects per ' +
            'key until it builds the value). The rest of `loadConfig()` adds every key to one object and one map of ' +
            'sources, checks it, and validates the tree. `bench/yaml-parsers.ts` compares the parsers alone.',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
