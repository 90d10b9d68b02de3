/**
 * The real-world corpus (test/fixtures/wazo) through the Python runtime, held to the TypeScript
 * one: the five real schemas' generated config.py load each shipped config.yml exactly as
 * config.ts does (and as Wazo's own merge, effective_config.json); and for all 22 components, a
 * schema inferred from their files gives both runtimes the same config from config.yml and conf.d.
 * All Python loads of a test run in one process.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { inferSchema } from '../../generator/infer/index.ts';
import { readInputs } from '../../generator/infer/inputs.ts';
import { getAt, type JsonObject } from '../../generator/runtime/index.ts';
import { CORPUS, CORPUS_SERVICES, readJson, REPO, tempRoot } from '../helpers.ts';
import { corpusComponents, effectiveWithoutLeftOutSecrets } from '../migration/helpers.ts';
import {
  comparable,
  loadersOf,
  runPython,
  runTypeScript,
  type CaseOptions,
  type Loaders,
  type Outcome,
} from './harness.ts';

interface Run {
  name: string;
  loaders: Loaders;
  options: CaseOptions;
}

/** Both runtimes on every run; Python in one process. */
async function both(runs: Run[]): Promise<{ ts: Outcome; py: Outcome }[]> {
  const python = runPython(runs.map((r) => ({ module: r.loaders.python, options: r.options })));
  return Promise.all(
    runs.map(async (r, i) => ({ ts: await runTypeScript(r.loaders.spec, r.options), py: python[i]! })),
  );
}

describe('the real-world corpus in Python', () => {
  // Wazo's daemons have a corpus entry; the daemons run by `exec` (PostgreSQL, Kamailio) have none.
  const services = CORPUS_SERVICES;
  let real: { run: Run; ts: Outcome; py: Outcome }[] = [];

  before(async () => {
    const loaders = await loadersOf(REPO);
    const runs: Run[] = services.flatMap((name) => {
      const l = loaders.get(name)!;
      const shipped = join(CORPUS, 'wazo-auth-keys/shipped-into-wazo-auth-conf.d');
      return [
        { name, loaders: l, options: { configFile: join(CORPUS, name, 'config.yml') } },
        { name: `${name} defaults`, loaders: l, options: {} },
        ...(name === 'wazo-auth' && existsSync(shipped)
          ? [
              {
                name: `${name} + shipped conf.d`,
                loaders: l,
                options: { configFile: join(CORPUS, name, 'config.yml'), configDir: shipped },
              },
            ]
          : []),
      ];
    });
    real = (await both(runs)).map((outcome, i) => ({ run: runs[i]!, ...outcome }));
  });

  it("loads each real schema's shipped config.yml as the TypeScript loader does", () => {
    assert.ok(real.length >= services.length * 2);
    for (const { run, ts, py } of real) {
      assert.equal(ts.problems, undefined, run.name);
      assert.deepEqual(comparable(py), comparable(ts), run.name);
    }
  });

  it("gives Wazo's own merge (effective_config.json) and in-code defaults (default_config.json) for every key they have", () => {
    for (const name of services) {
      for (const [suffix, file] of [
        ['', 'effective_config.json'],
        [' defaults', 'default_config.json'],
      ] as const) {
        const { py, run } = real.find((r) => r.run.name === name + suffix)!;
        const golden = readJson(join(CORPUS, name, file)) as never;
        let compared = 0;
        for (const setting of run.loaders.spec.settings) {
          const expected = getAt(golden, setting.path);
          if (expected === undefined) continue;
          assert.deepEqual(
            getAt(py.config as never, setting.path),
            expected,
            `${name}${suffix}: ${setting.path.join('.')}`,
          );
          compared++;
        }
        assert.ok(compared > run.loaders.spec.settings.length / 2, `${name}${suffix}: compared ${compared} keys`);
      }
    }
  });

  it('loads all 22 components, with schemas inferred from their files, as the TypeScript loader does', async () => {
    const components = corpusComponents();
    assert.equal(components.length, 22);
    const root = tempRoot();
    mkdirSync(join(root, 'schemas'));
    for (const c of components) {
      const { inputs } = readInputs(c.files, c.defaults);
      writeFileSync(
        join(root, 'schemas', `${c.name}.schema.json`),
        JSON.stringify(inferSchema(inputs, { service: c.name }).schema),
      );
    }
    const loaders = await loadersOf(root);
    const runs: Run[] = components.flatMap((c) => {
      const l = loaders.get(c.name)!;
      const confd = join(CORPUS, c.name, 'conf.d');
      return [
        { name: c.name, loaders: l, options: { configFile: c.files[0]!, strict: true } },
        ...(existsSync(confd)
          ? [{ name: `${c.name} + conf.d`, loaders: l, options: { configFile: c.files[0]!, configDir: confd } }]
          : []),
      ];
    });
    const outcomes = await both(runs);
    let loaded = 0;
    outcomes.forEach(({ ts, py }, i) => {
      assert.deepEqual(comparable(py), comparable(ts), runs[i]!.name);
      if (py.config) loaded++;
    });
    // Only conf.d files that are `!exec` (run only on demand) keep a component from loading.
    assert.ok(loaded >= runs.length - 2, `${loaded} of ${runs.length} loaded`);
    // Where the component has in-code defaults, config.yml alone gives Wazo's merge in Python too.
    for (const [i, run] of runs.entries()) {
      const c = components.find((x) => x.name === run.name);
      if (!c?.defaults) continue;
      const loaded = outcomes[i]!.py.config as JsonObject;
      const { effective } = effectiveWithoutLeftOutSecrets(
        run.loaders.spec,
        loaded,
        JSON.parse(readFileSync(join(CORPUS, c.name, 'effective_config.json'), 'utf8')) as JsonObject,
      );
      assert.deepEqual(loaded, effective, c.name);
    }
  });
});
