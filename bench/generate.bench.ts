/**
 * Generation time: `npm run generate` on the repository's own schemas (a child process, as a
 * developer runs it), and generate() in-process for a synthetic 1,000-setting schema, with the
 * time of each pipeline stage. Both write into temp projects, never into the repo's generated/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generate, loadModels } from '../generator/index.ts';
import { EMITTERS } from '../generator/emit/index.ts';
import { isIndexEmitter } from '../generator/emit/emitter.ts';
import { formatFiles } from '../generator/format.ts';
import type { GeneratedFile } from '../generator/emit/emitter.ts';
import { ensureBuilt, REPO, tempProject } from './project.ts';
import type { Bench, Table } from './section.ts';
import { formatMs, summarise, timed } from './stats.ts';
import { syntheticService } from './synthetic-schema.ts';

/** `npm run generate` runs after the first (which writes every file): up to this many, within the time budget. */
const CLI_RUNS = 3;
const CLI_BUDGET_MS = 15_000;
const SYNTHETIC_SIZE = 1000;

/**
 * Targets: all schemas, and a run that finds nothing changed (the compiled command, as a service's repository runs it).
 */
const FIRST_TARGET_MS = 3000;
const UNCHANGED_TARGET_MS = 500;

/** The compiled `wazo-config generate [--check]` in a project folder; fails loudly unless `--check` finds it stale. */
async function binGenerate(root: string, args: string[] = []): Promise<number> {
  const { ms, value: child } = await timed(() =>
    spawnSync(process.execPath, [join(REPO, 'bin', 'wazo-config.js'), 'generate', ...args], {
      cwd: root,
      env: { ...process.env, WAZO_CONFIG_ROOT: root },
      encoding: 'utf8',
    }),
  );
  if (child.status !== 0)
    throw new Error(`wazo-config generate ${args.join(' ')} failed (${child.status}):\n${child.stderr}`);
  return ms;
}

/** `npm run generate` with WAZO_CONFIG_ROOT pointing at a copy of schemas/; fails loudly. */
async function npmGenerate(root: string): Promise<number> {
  const { ms, value: child } = await timed(() =>
    spawnSync('npm', ['run', '--silent', 'generate'], {
      cwd: REPO,
      env: { ...process.env, WAZO_CONFIG_ROOT: root },
      encoding: 'utf8',
    }),
  );
  if (child.status !== 0) throw new Error(`npm run generate failed (${child.status}):\n${child.stderr}`);
  return ms;
}

function row(what: string, samples: number[], note: string, targetMs?: number): string[] {
  const t = summarise(samples);
  const target =
    targetMs === undefined ? ['', ''] : [`≤ ${formatMs(targetMs)}`, t.median <= targetMs ? 'yes' : '**no**'];
  return [what, formatMs(t.median), formatMs(Math.max(...samples)), String(samples.length), note, ...target];
}

function slowestStage(stages: readonly [string, number][], total: number): string {
  const [name, ms] = [...stages].sort((a, b) => b[1] - a[1])[0]!;
  return `The slowest stage is ${name}: ${formatMs(ms)} of ${formatMs(total)} (${Math.round((100 * ms) / total)}%).`;
}

const bench: Bench = {
  name: 'generate',
  order: 20,
  async run() {
    const table: Table = {
      columns: ['what', 'median', 'max', 'runs', 'files', 'target', 'met'],
      rows: [],
      numeric: [1, 2, 3],
    };
    ensureBuilt();

    const repoCopy = tempProject('generate-repo');
    try {
      cpSync(join(REPO, 'schemas'), join(repoCopy.root, 'schemas'), { recursive: true });
      const first = await npmGenerate(repoCopy.root);
      const again: number[] = [];
      const budgetEnd = performance.now() + CLI_BUDGET_MS;
      while (again.length < CLI_RUNS && (again.length === 0 || performance.now() < budgetEnd))
        again.push(await npmGenerate(repoCopy.root));
      const services = (await loadModels(repoCopy.root)).length;
      table.rows.push(row(`\`npm run generate\`, the repo's ${services} schemas, first run`, [first], 'all written'));
      table.rows.push(row('`npm run generate`, again', again, 'none changed (cache)'));
      // The compiled command, as a service's repository runs it: full runs (each from nothing, the median judged),
      // then runs that change nothing.
      const binFirst: number[] = [];
      for (let i = 0; i < CLI_RUNS; i++) {
        rmSync(join(repoCopy.root, 'generated'), { recursive: true, force: true });
        rmSync(join(repoCopy.root, 'node_modules', '.cache'), { recursive: true, force: true });
        binFirst.push(await binGenerate(repoCopy.root));
      }
      const binAgain: number[] = [];
      const binCheck: number[] = [];
      for (let i = 0; i < CLI_RUNS; i++) {
        binAgain.push(await binGenerate(repoCopy.root));
        binCheck.push(await binGenerate(repoCopy.root, ['--check']));
      }
      table.rows.push(
        row(
          `\`wazo-config generate\` (compiled), ${services} schemas, first run`,
          binFirst,
          'all written',
          FIRST_TARGET_MS,
        ),
      );
      table.rows.push(
        row('`wazo-config generate` (compiled), again', binAgain, 'none changed (cache)', UNCHANGED_TARGET_MS),
      );
      table.rows.push(
        row('`wazo-config generate --check` (compiled), nothing stale', binCheck, 'none (cache)', UNCHANGED_TARGET_MS),
      );
    } finally {
      repoCopy.dispose();
    }

    const synthetic = syntheticService(SYNTHETIC_SIZE);
    const project = tempProject('generate-synthetic');
    const stages: Table = { columns: ['stage (one run)', 'time'], rows: [], numeric: [1] };
    const stageMs: [string, number][] = [];
    let warm: number;
    const stage = (name: string, ms: number) => {
      stageMs.push([name, ms]);
      stages.rows.push([name, formatMs(ms)]);
    };
    try {
      project.addSchema(synthetic.name, synthetic.schema);
      const cold = await timed(() => generate({ root: project.root }));
      table.rows.push(
        row(
          `generate() in-process, ${SYNTHETIC_SIZE} settings, first run`,
          [cold.ms],
          `${cold.value.written.length} written`,
        ),
      );

      // A second run, stage by stage, to show where the time goes (writing left out: nothing changed).
      const models = await timed(() => loadModels(project.root));
      stage('load + check + model', models.ms);
      const emitted: GeneratedFile[] = [];
      for (const emitter of EMITTERS) {
        const index = isIndexEmitter(emitter);
        const { ms, value } = await timed(() =>
          index
            ? emitter.emitAll(models.value, { root: project.root })
            : emitter.emit(models.value[0]!, { root: project.root }),
        );
        emitted.push(...value);
        stage(`emit: ${emitter.name}${index ? ' (index)' : ''}`, ms);
      }
      const formatted = await timed(() => formatFiles(emitted, project.root));
      stage('format (prettier: the config.ts loaders only)', formatted.ms);
      warm = stageMs.reduce((sum, [, ms]) => sum + ms, 0);
      table.rows.push(row('generate() in-process, again (the stages below)', [warm], 'not written'));
    } finally {
      project.dispose();
    }

    return {
      title: 'Generating',
      intro: [
        '`npm run generate` is timed as a developer runs it (npm, node, tsx start-up included) on a copy of the repo’s schemas/, ' +
          'pointed at by `WAZO_CONFIG_ROOT`; `generate()` in-process on the synthetic 1,000-setting schema of the loading bench. ' +
          'A first run writes every file; a later run checks a fingerprint of its inputs (schemas and their $ref files, templates, ' +
          'prettier settings, the generator itself) and the hashes of the files on disk, and loads and renders nothing when both are unchanged ' +
          '(generator/cache.ts; `--check` stays exact). The compiled command (`node bin/wazo-config.js`, what a service repository runs) is timed the same way. ' +
          `The second in-process run is timed stage by stage (second table: load, each emitter, prettier; no writing).`,
        'Where the time goes. A run that changes nothing imports only the `generate` command, yargs and generator/cache.ts ' +
          '(the CLI imports only the command it runs; generate.ts imports the pipeline, generator/render.ts, only when the cache cannot answer): ' +
          'Node’s own start-up, yargs’ parsing (not its help text, which it would lay out after every command: cli.ts skips that) and hashing the generator’s code ' +
          'and every generated file are all of it. A first run is the pipeline: checking each schema (the 2020-12 meta-schema, ajv strict mode, ' +
          'the model rules, which compile each schema once), compiling each validator, and prettier on each `config.ts` — ' +
          'the only files prettier lays out (`GeneratedFile.prettier`), because json-schema-to-typescript writes its types unindented. ' +
          'Every other file is written in its final layout by its emitter: Markdown tables aligned (mdTable), JSON from syntax/json.ts, ' +
          'the ajv validators indented a level a block (ajv’s `code.lines`), the search page’s style, script and data indented. ' +
          'Profiled (`node --cpu-prof`, the repo’s 19 schemas, first run): prettier on the 19 `config.ts` ≈ 32% of the CPU time, ' +
          'ajv (checking the schemas, compiling the validators) ≈ 15%, garbage collection ≈ 15%, our own code ≈ 10%, json-schema-to-typescript ≈ 4%; ' +
          'the rest is Node and module loading. A worker thread for the loaders and validators was tried and was slower on 2 cores: ' +
          'its own imports cost more than it took off this thread.',
      ],
      tables: [table, stages],
      notes: [slowestStage(stageMs, warm)],
    };
  },
};

export default bench;
