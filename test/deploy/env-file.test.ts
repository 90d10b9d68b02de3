/**
 * `<service>.env` and `<service>.env.ctmpl`: config → Consul KV → the template rendered by Go's
 * text/template → read by dotenv, Node's parseEnv, systemd's reader, godotenv and docker-compose → loadConfig
 * → the same config; and where a value cannot be carried, the render fails naming the setting.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encode } from '../../generator/runtime/codec.ts';
import { getAt } from '../../generator/runtime/tree.ts';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { missingTool } from '../missing-tool.ts';
import { configArbitrary, envFileCarries, validatorOf } from './arbitraries.ts';
import {
  SERVICES,
  composeEnvironments,
  generatedPath,
  kvOf,
  loadFromEnv,
  modelOf,
  readers,
  render,
  rendered,
  runBatch,
  type KvEntry,
} from './tools.ts';

/** Runs of each property per service (no fixed seed: every run sees new cases). */
const RUNS = 30;

/** The text after the header comment: the settings, one block each. */
const body = (text: string) => text.slice(text.indexOf('\n\n') + 2);

/** Every in-process reader gives the same variables, which load as `expected`. */
async function assertReadersLoad(service: string, text: string, expected: JsonValue): Promise<void> {
  for (const [reader, parse] of Object.entries(readers)) {
    const env = parse(text);
    assert.deepEqual(await loadFromEnv(service, env), expected, `${service}: ${reader}`);
  }
}

for (const service of SERVICES) {
  describe(`${service}.env`, () => {
    const envPath = generatedPath(service, `${service}.env`);
    const templatePath = `${envPath}.ctmpl`;

    test('the example loads as the schema defaults in every reader', async () => {
      await assertReadersLoad(service, readFileSync(envPath, 'utf8'), await loadFromEnv(service, {}));
    });

    test('a secret is never written with its default: its line stays commented out, and no reader gets it', async () => {
      const model = await modelOf(service);
      const text = readFileSync(envPath, 'utf8');
      const secrets = model.leaves.filter((l) => l.secret);
      assert.ok(secrets.length > 0, `${service} has secrets`);
      for (const leaf of secrets) {
        assert.doesNotMatch(text, new RegExp(`^\\s*${leaf.envName}=`, 'm'), leaf.envName);
        for (const [reader, parse] of Object.entries(readers))
          assert.ok(!(leaf.envName in parse(text)), `${reader}: ${leaf.envName}`);
      }
      assert.ok(
        secrets.some((leaf) => leaf.default !== undefined && text.includes(`# ${leaf.envName}=\n`)),
        'a secret with a default is listed, commented out, with no value',
      );
    });

    test('the template rendered with the schema defaults in Consul is the example (secrets aside)', async () => {
      const model = await modelOf(service);
      const seed = JSON.parse(readFileSync(generatedPath(service, 'consul-seed.json'), 'utf8')) as KvEntry[];
      const secrets = new Set(model.leaves.filter((l) => l.secret).map((l) => l.consulKey));
      const output = rendered(
        render(
          templatePath,
          seed.filter((e) => !secrets.has(e.key)),
        ),
      );
      assert.equal(body(output), body(readFileSync(envPath, 'utf8')));
    });

    test('config → KV → env.ctmpl → every reader → loadConfig gives the same config', async () => {
      const model = await modelOf(service);
      const arbitrary = configArbitrary(model, await validatorOf(service), { envFileSafe: true });
      await fc.assert(
        fc.asyncProperty(arbitrary, async (config) => {
          await assertReadersLoad(service, rendered(render(templatePath, kvOf(model, config))), config);
        }),
        { numRuns: RUNS },
      );
    });

    test('a value no env file can carry stops the render, naming the setting and why', async () => {
      const model = await modelOf(service);
      const arbitrary = configArbitrary(model, await validatorOf(service));
      await fc.assert(
        fc.asyncProperty(arbitrary, async (config) => {
          const refused = model.leaves.filter((leaf) => {
            const value = getAt(config, leaf.path);
            return value !== undefined && !envFileCarries(leaf.envName, encode(value, leaf));
          });
          const result = render(templatePath, kvOf(model, config));
          if (refused.length === 0) {
            assert.ok('output' in result, `unexpected: ${'error' in result ? result.error : ''}`);
            await assertReadersLoad(service, result.output, config);
          } else {
            const named = refused.map(
              (leaf) => `${leaf.envName} (Consul ${leaf.consulKey}) cannot be written to an env file: `,
            );
            assert.ok(
              'error' in result && named.some((start) => result.error.includes(start)),
              `expected the render to fail naming one of: ${named.join(' | ')}`,
            );
          }
        }),
        { numRuns: RUNS },
      );
    });
  });
}

describe(
  'docker-compose reads the same env files',
  { skip: missingTool('docker-compose', ['version'], 'docker-compose') },
  () => {
    test('the examples and random configs, rendered: docker-compose config → loadConfig gives the same config', async () => {
      const cases: { service: string; text: string; expected: JsonValue }[] = [];
      for (const service of SERVICES) {
        const model = await modelOf(service);
        cases.push({
          service,
          text: readFileSync(generatedPath(service, `${service}.env`), 'utf8'),
          expected: await loadFromEnv(service, {}),
        });
        const configs = fc.sample(configArbitrary(model, await validatorOf(service), { envFileSafe: true }), {
          numRuns: 40,
        });
        const outputs = runBatch(
          configs.map((config) => ({
            template: generatedPath(service, `${service}.env.ctmpl`),
            kv: kvOf(model, config),
          })),
        );
        for (const [i, config] of configs.entries())
          cases.push({ service, text: rendered(outputs[i]!), expected: config });
      }
      const environments = composeEnvironments(cases.map((c) => c.text));
      for (const [i, { service, expected }] of cases.entries()) {
        assert.deepEqual(await loadFromEnv(service, environments[i]!), expected, `${service} case ${i}`);
      }
    });
  },
);
