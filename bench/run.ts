/**
 * `npm run bench [-- name…]`: runs every `bench/*.bench.ts` (or those named), prints their tables,
 * and, on a full run, writes docs/benchmarks.md with the machine they ran on.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './project.ts';
import { sectionToMarkdown, sectionToText, type Bench, type Section } from './section.ts';

const BENCH_DIR = join(REPO, 'bench');
const OUTPUT = join(REPO, 'docs', 'benchmarks.md');

function isBench(value: unknown): value is Bench {
  const bench = value as Partial<Bench> | undefined;
  return typeof bench?.name === 'string' && typeof bench.run === 'function';
}

async function loadBenches(): Promise<Bench[]> {
  const files = readdirSync(BENCH_DIR)
    .filter((name) => name.endsWith('.bench.ts'))
    .sort();
  const benches: Bench[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as { default?: unknown };
    if (!isBench(module.default))
      throw new Error(`bench/${file} must default-export { name, run(): Promise<Section> }`);
    benches.push(module.default);
  }
  return benches.sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
}

function machine(): string[] {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    `- date: ${new Date().toISOString()}`,
    `- Node.js ${process.version} (${process.platform}/${process.arch})`,
    `- ${availableParallelism()} cores available, ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `- load average when the run started: ${loadavg()[0]!.toFixed(2)} (1 min; other work on the machine widens the p95s)`,
  ];
}

const wanted = process.argv.slice(2);
const all = await loadBenches();
const unknown = wanted.filter((name) => !all.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; known: ${all.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? all.filter((b) => wanted.includes(b.name)) : all;

const started = performance.now();
const about = machine().join('\n');
console.log(about);
const sections: Section[] = [];
const failed: string[] = [];
for (const bench of selected) {
  console.log(`\n▶ ${bench.name}…`);
  const t = performance.now();
  try {
    const section = await bench.run();
    sections.push(section);
    console.log(`\n${sectionToText(section)}\n(${((performance.now() - t) / 1000).toFixed(1)} s)`);
  } catch (error) {
    // One broken bench must not hide the others' numbers.
    failed.push(bench.name);
    console.error(`bench ${bench.name} failed:`, error);
  }
}
console.log(`\nall benches: ${((performance.now() - started) / 1000).toFixed(1)} s`);

if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}; docs/benchmarks.md left as it was`);
  process.exitCode = 1;
} else if (wanted.length === 0) {
  const doc = [
    '# Benchmarks',
    'Written by `npm run bench` (bench/run.ts; one section per `bench/*.bench.ts`) — re-run it rather than edit this file. ' +
      'Numbers are wall-clock times of one operation: median and 95th percentile over many runs after a warm-up; ' +
      'the p95 also catches garbage collection and whatever else the machine was doing.',
    about,
    ...sections.map(sectionToMarkdown),
  ];
  writeFileSync(OUTPUT, doc.join('\n\n') + '\n');
  console.log(`wrote ${OUTPUT}`);
} else {
  console.log('(a partial run: docs/benchmarks.md left as it was)');
}
