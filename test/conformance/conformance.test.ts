/**
 * The conformance corpus: each folder here is a case — files, conf.d, env, Consul entries and
 * overrides in case.json — with the config (and the source of every value) or the problems it
 * must give in expected.json. Both runtimes run every case: the TypeScript one here, the Python
 * one here too (one batched process) and again under pytest (test/python/test_conformance.py), from
 * the checked-in config.py generated from _schema/. Paths in expected.json are written `{case}`.
 *
 * After a deliberate change of behaviour: `UPDATE_CONFORMANCE=1 node --conditions=wazo-config-source
 * --import tsx --test test/conformance/conformance.test.ts` rewrites expected.json and config.py
 * from the TypeScript runtime; review the diff.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { REPO } from '../helpers.ts';
import {
  loadersOf,
  runPython,
  runTypeScript,
  type CaseOptions,
  type Loaders,
  type Outcome,
} from '../python/harness.ts';

const HERE = join(REPO, 'test/conformance');
const UPDATE = process.env.UPDATE_CONFORMANCE === '1';
const cases = readdirSync(HERE, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => d.name)
  .sort();

/** A case's options with its paths made absolute. */
export function optionsOf(name: string): CaseOptions {
  const dir = join(HERE, name);
  const { options } = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { options: CaseOptions };
  return {
    ...options,
    configFile: typeof options.configFile === 'string' ? join(dir, options.configFile) : false,
    configDir: typeof options.configDir === 'string' ? join(dir, options.configDir) : false,
  };
}

/** An outcome as expected.json holds it: the case folder written `{case}`, YAML positions kept. */
function portable(outcome: Outcome, name: string): unknown {
  const dir = join(HERE, name);
  const text = JSON.stringify(
    outcome.problems
      ? { problems: outcome.problems }
      : { config: outcome.config, sources: outcome.sources, warnings: outcome.warnings },
  );
  return JSON.parse(text.replaceAll(dir, '{case}'));
}

/**
 * What is each runtime's own: a YAML syntax error's position and words (each parser says it its way),
 * and how an option is spelled in a hint (`wazoCompat: { exec: true }`, `wazo_compat={'exec': True}`).
 */
export function withoutParserWords(value: unknown): unknown {
  const text = JSON.stringify(value)
    .replace(/(\.yml):\d+:\d+"/g, '$1:<position>"')
    .replace(/"invalid YAML: [^"]*"/g, '"invalid YAML: <parser\'s words>"')
    .replaceAll("wazo_compat={'exec': True}", 'wazoCompat: { exec: true }');
  return JSON.parse(text);
}

describe('conformance corpus', () => {
  let loaders: Loaders;
  let python: Outcome[];

  before(async () => {
    loaders = (await loadersOf(join(HERE, '_schema'))).get('wazo-conf')!;
    if (UPDATE) writeFileSync(join(HERE, '_schema/config.py'), loaders.python);
    python = runPython(cases.map((name) => ({ module: loaders.python, options: optionsOf(name) })));
  });

  it('has its cases', () => assert.ok(cases.length >= 10, cases.join()));

  it('the checked-in config.py is the one the generator emits', () => {
    assert.equal(
      readFileSync(join(HERE, '_schema/config.py'), 'utf8'),
      loaders.python,
      'stale: run with UPDATE_CONFORMANCE=1 and review',
    );
  });

  cases.forEach((name, i) => {
    it(`${name}: the TypeScript runtime gives expected.json`, async () => {
      const actual = portable(await runTypeScript(loaders.spec, optionsOf(name)), name);
      const file = join(HERE, name, 'expected.json');
      if (UPDATE || !existsSync(file)) writeFileSync(file, JSON.stringify(actual, null, 2) + '\n');
      assert.deepEqual(withoutParserWords(actual), withoutParserWords(JSON.parse(readFileSync(file, 'utf8'))));
    });

    it(`${name}: the Python runtime gives expected.json`, () => {
      const expected = JSON.parse(readFileSync(join(HERE, name, 'expected.json'), 'utf8')) as unknown;
      assert.equal(python[i]!.crash, undefined);
      assert.deepEqual(withoutParserWords(portable(python[i]!, name)), withoutParserWords(expected));
    });
  });
});
