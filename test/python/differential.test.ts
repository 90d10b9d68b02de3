/**
 * Differential property: fast-check generates schemas, values and sources (a YAML config file,
 * conf.d files, env vars, Consul entries, overrides), both runtimes load every case, and their
 * configs, sources and warnings — or their problems' keys and sources — must be equal. Python runs
 * all the cases of a run in ONE subprocess. The seed is printed on failure.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { tempRoot } from '../helpers.ts';
import { comparable, loadersOf, runPython, runTypeScript, type CaseOptions } from './harness.ts';

type Json = unknown;
interface Leaf {
  name: string;
  schema: Record<string, Json>;
}

const NAMES = [
  'host',
  'port',
  'hosts',
  'ratio',
  'debug',
  'level',
  'token',
  'plugins',
  'timeout',
  'prefix',
  'ports',
  'extra',
];

/** A leaf of one of the kinds real schemas use, with or without a default. */
const leafSchema: fc.Arbitrary<Record<string, Json>> = fc.oneof(
  fc.record(
    { type: fc.constant('string'), default: fc.constantFrom('localhost', '', 'x y') },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    {
      type: fc.constant('string'),
      minLength: fc.constant(2),
      pattern: fc.constant('^[a-z]+$'),
      default: fc.constant('abc'),
    },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    { type: fc.constant('integer'), minimum: fc.constant(1), maximum: fc.constant(65535), default: fc.constant(9000) },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    { type: fc.constant('number'), exclusiveMinimum: fc.constant(0), default: fc.constant(0.5) },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.constant('boolean'), default: fc.boolean() }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant(['string', 'null']), default: fc.constantFrom(null, 'a') }, { requiredKeys: ['type'] }),
  fc.record(
    { type: fc.constant(['integer', 'string']), default: fc.constantFrom('8668', 8668) },
    { requiredKeys: ['type'] },
  ),
  fc.record(
    { enum: fc.constant(['debug', 'info', 'warning']), default: fc.constant('info') },
    { requiredKeys: ['enum'] },
  ),
  fc.record(
    {
      type: fc.constant('array'),
      items: fc.constantFrom({ type: 'string' }, { type: 'integer' }),
      default: fc.constant([]),
    },
    { requiredKeys: ['type', 'items'] },
  ),
  fc.record(
    {
      type: fc.constant('array'),
      items: fc.constant({ type: 'string' }),
      uniqueItems: fc.constant(true),
      maxItems: fc.constant(3),
    },
    { requiredKeys: ['type', 'items'] },
  ),
  fc.record(
    {
      type: fc.constant('object'),
      additionalProperties: fc.constant({ type: 'boolean' }),
      default: fc.constant({ a: true }),
    },
    { requiredKeys: ['type', 'additionalProperties'] },
  ),
  fc.record({ description: fc.constant('any JSON value') }),
  fc.record(
    { type: fc.constant('string'), format: fc.constantFrom('uri', 'email', 'hostname', 'ipv4', 'date-time') },
    { requiredKeys: ['type', 'format'] },
  ),
);

const leaves = (count: number) =>
  fc
    .uniqueArray(fc.tuple(fc.constantFrom(...NAMES), leafSchema), {
      minLength: 1,
      maxLength: count,
      selector: ([name]) => name,
    })
    .map((pairs) => pairs.map(([name, schema]) => ({ name, schema })));

const schemaArbitrary = fc.record({
  top: leaves(5),
  group: leaves(4),
  secret: fc.boolean(),
  /** The group requires its first leaf (a required setting when it has no default). */
  required: fc.boolean(),
});

function schemaOf(
  shape: { top: Leaf[]; group: Leaf[]; secret: boolean; required: boolean },
  n: number,
): Record<string, Json> {
  const props = (list: Leaf[]) => Object.fromEntries(list.map((l) => [l.name, l.schema]));
  const group: Record<string, Json> = {
    type: 'object',
    properties: props(shape.group),
    ...(shape.secret ? { 'x-secret': true } : {}),
    ...(shape.required ? { required: [shape.group[0]!.name] } : {}),
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    'x-service': { name: `wazo-t${n}` },
    properties: { ...props(shape.top), bus: group },
  };
}

/** Value texts people write in env vars and Consul, right and wrong. */
const TEXTS = [
  '',
  ' ',
  '0',
  '1',
  '-1',
  '5672',
  '70000',
  '2.5',
  '1e2',
  'yes',
  'OFF',
  'true',
  'null',
  'x',
  'abc',
  'a,b',
  '1, 2',
  '[1,2]',
  '["a","a"]',
  '{"a":true}',
  '{"a":1}',
  '{}',
  '"8668"',
  '"x',
  ' 7 ',
  'debug',
  'http://h/x',
  'a@b.c',
  '10.0.0.1',
  '2024-01-02T03:04:05Z',
];
/**
 * YAML scalars as a config file may hold them, YAML 1.1's surprises included (both runtimes read them as PyYAML does).
 */
const YAML_SCALARS = [
  'yes',
  'No',
  'on',
  'off',
  'y',
  'n',
  '~',
  'null',
  '12',
  '010',
  '0x1F',
  '0o12',
  '1_000',
  '1e3',
  '1.5',
  '.5',
  '-.5',
  '+.5',
  '1:20',
  '12345678901234567890',
  '.inf',
  'true',
  "'8668'",
  '"quoted"',
  'text',
  '[a, b]',
  '[1, 2]',
  '{a: true}',
  '{}',
  '[]',
  'http://h/x',
  '2001-12-14',
  'debug',
  "''",
  '5672',
];

const yamlFile = (keys: string[]) =>
  fc
    .array(fc.tuple(fc.constantFrom(...keys, 'unknwn', 'prot', 'bus.hots'), fc.constantFrom(...YAML_SCALARS)), {
      maxLength: 3,
    })
    .map((pairs) => {
      const top: string[] = [];
      const bus: string[] = [];
      const seen = new Set<string>();
      for (const [key, value] of pairs) {
        if (seen.has(key)) continue;
        seen.add(key);
        if (key.startsWith('bus.')) bus.push(`  ${key.slice(4)}: ${value}`);
        else if (key !== 'bus') top.push(`${key}: ${value}`);
      }
      return [...top, ...(bus.length ? ['bus:', ...bus] : [])].join('\n') + '\n';
    });

interface Sources {
  file: string;
  confd: string[];
  env: [string, string][];
  kv: [string, string][];
  overrides: Record<string, Json> | undefined;
  confdOrder: 'first-wins' | 'last-wins';
  strict: boolean;
}

function sourcesArbitrary(paths: string[]): fc.Arbitrary<Sources> {
  const keys = paths;
  const envName = (p: string) => p.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();
  return fc.record({
    file: yamlFile(keys),
    confd: fc.array(yamlFile(keys), { maxLength: 1 }),
    env: fc.array(fc.tuple(fc.constantFrom(...keys.map(envName), 'PORTT', 'BUS_HOTS'), fc.constantFrom(...TEXTS)), {
      maxLength: 2,
    }),
    kv: fc.array(
      fc.tuple(
        fc.constantFrom(...keys.map((k) => k.replace('.', '/')), 'bus', 'bus/', 'nope', 'bus/hots', 'hosts/0'),
        fc.constantFrom(...TEXTS),
      ),
      { maxLength: 1 },
    ),
    overrides: fc.option(
      fc.dictionary(
        fc.constantFrom(...keys.filter((k) => !k.includes('.'))),
        fc.constantFrom<Json>(1, 'x', true, null, [1], { a: true }),
        { maxKeys: 2 },
      ),
      { nil: undefined },
    ),
    confdOrder: fc.constantFrom('first-wins' as const, 'last-wins' as const),
    strict: fc.constantFrom(false, false, false, true),
  });
}

describe('the Python and TypeScript runtimes load alike (differential property)', () => {
  it('gives the same config, sources and warnings, or the same problems, on random schemas and sources', async () => {
    const seed = Number(process.env.DIFFERENTIAL_SEED ?? Date.now() % 2 ** 31);
    const shapes = fc.sample(schemaArbitrary, { numRuns: 16, seed });
    const root = tempRoot();
    mkdirSync(join(root, 'schemas'));
    shapes.forEach((shape, n) =>
      writeFileSync(join(root, 'schemas', `wazo-t${n}.schema.json`), JSON.stringify(schemaOf(shape, n))),
    );
    const loaders = await loadersOf(root);
    const cases: { service: string; options: CaseOptions }[] = [];
    shapes.forEach((shape, n) => {
      const service = `wazo-t${n}`;
      const paths = [...shape.top.map((l) => l.name), 'bus', ...shape.group.map((l) => `bus.${l.name}`)];
      fc.sample(sourcesArbitrary(paths), { numRuns: 8, seed: seed + n }).forEach((sources, k) => {
        const dir = join(root, `${service}-${k}`);
        mkdirSync(join(dir, 'conf.d'), { recursive: true });
        writeFileSync(join(dir, 'config.yml'), sources.file);
        sources.confd.forEach((text, i) => writeFileSync(join(dir, 'conf.d', `${10 + i}-x.yml`), text));
        const prefix = service.toUpperCase().replaceAll('-', '_');
        cases.push({
          service,
          options: {
            configFile: join(dir, 'config.yml'),
            configDir: join(dir, 'conf.d'),
            confdOrder: sources.confdOrder,
            strict: sources.strict,
            env: Object.fromEntries(sources.env.map(([name, text]) => [`${prefix}_${name}`, text])),
            kv: sources.kv.map(([key, text]) => [`config/${service}/${key}`, text]),
            ...(sources.overrides ? { overrides: sources.overrides } : {}),
          },
        });
      });
    });
    const python = runPython(cases.map((c) => ({ module: loaders.get(c.service)!.python, options: c.options })));
    let valid = 0;
    for (const [i, c] of cases.entries()) {
      const ts = await runTypeScript(loaders.get(c.service)!.spec, c.options);
      if (ts.config) valid++;
      if (!isDeepStrictEqual(comparable(ts), comparable(python[i]!))) {
        assert.deepEqual(
          comparable(python[i]!),
          comparable(ts),
          `seed ${seed}, case ${i} (${c.service}): ${JSON.stringify(c.options)}`,
        );
      }
      // Where both refuse, they say it in the same words.
      if (ts.message && python[i]!.message && !/invalid YAML/.test(ts.message))
        assert.equal(python[i]!.message, ts.message, `seed ${seed}, case ${i}`);
    }
    // Both outcomes are exercised: neither "all valid" nor "all refused" proves much.
    assert.ok(valid >= cases.length / 20 && valid < cases.length * 0.9, `${valid} of ${cases.length} cases loaded`);
  });
});
