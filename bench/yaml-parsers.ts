/**
 * The config-file parser, measured: js-yaml with PyYAML's rules (generator/runtime/yaml11.ts, what
 * the loader uses) against the `yaml` library configured for YAML 1.1 (what it used before), on
 * files of 1,000 / 10,000 / 100,000 keys; then a whole loadConfig() of the same file, to show the
 * cost stays linear. Run: node --conditions=wazo-config-source --import tsx bench/yaml-parsers.ts
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadConfig } from '../generated/wazo-auth/config.ts';
import { parseYaml11 } from '../generator/runtime/yaml11.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time(runs: number, op: () => unknown): number {
  op();
  const samples: number[] = [];
  for (let n = 0; n < runs; n++) {
    const start = performance.now();
    op();
    samples.push(performance.now() - start);
  }
  return median(samples);
}
async function timeAsync(runs: number, op: () => Promise<unknown>): Promise<number> {
  await op();
  const samples: number[] = [];
  for (let n = 0; n < runs; n++) {
    const start = performance.now();
    await op();
    samples.push(performance.now() - start);
  }
  return median(samples);
}
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0)) + ' ms';

console.log('| keys | yaml (YAML 1.1, unique keys) | js-yaml + PyYAML rules | loadConfig() with js-yaml | per key |');
console.log('|-----:|----:|----:|----:|----:|');
for (const keys of [1_000, 10_000, 100_000]) {
  const text =
    ['enabled_backend_plugins:', ...Array.from({ length: keys }, (_, n) => `  plugin_${n}: true`)].join('\n') + '\n';
  const file = join(tmpdir(), `wazo-bench-${keys}.yml`);
  writeFileSync(file, text);
  const runs = keys >= 100_000 ? 3 : keys >= 10_000 ? 5 : 20;
  const old =
    keys >= 100_000 ? NaN : time(runs, () => parseDocument(text, { version: '1.1', uniqueKeys: true }).toJS());
  const fast = time(runs, () => parseYaml11(text));
  const load = await timeAsync(runs, () =>
    loadConfig({ configFile: file, configDir: false, env: {}, consul: false, logger: quiet }),
  );
  console.log(
    `| ${keys} | ${Number.isNaN(old) ? 'not run (quadratic)' : ms(old)} | ${ms(fast)} | ${ms(load)} | ${((load * 1000) / keys).toFixed(1)} µs |`,
  );
}
