/**
 * `envconsul.hcl`: config → Consul KV → the environment envconsul gives its child (its naming —
 * strip the prefix, format, sanitize, upcase — run in Go with the prefix block of the generated file)
 * → loadConfig → the same config. (The HCL itself, read by HashiCorp's parser: hcl.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { configArbitrary, validatorOf } from './arbitraries.ts';
import { envconsulEnvironment } from './paths.ts';
import { SERVICES, kvEntry, kvOf, loadFromEnv, modelOf } from './tools.ts';

/** Runs per service (no fixed seed); envconsul's naming runs in one Go process per case. */
const RUNS = 30;

for (const service of SERVICES) {
  describe(`${service} envconsul`, () => {
    test('envconsul names every Consul key as the loader reads it', async () => {
      const model = await modelOf(service);
      const env = envconsulEnvironment(
        service,
        model.leaves.map((leaf) => kvEntry(leaf.consulKey, 'x')),
      );
      assert.deepEqual(Object.keys(env).sort(), model.leaves.map((leaf) => leaf.envName).sort());
    });

    test('a sibling prefix (config/<service>-keys/…) stays out', async () => {
      const model = await modelOf(service);
      const env = envconsulEnvironment(service, [
        kvEntry(`${model.consulPrefix}-keys/x`, 'y'),
        kvEntry(`${model.consulPrefix}x`, 'y'),
      ]);
      assert.deepEqual(env, {});
    });

    test('a folder key (as `consul kv put config/<service>/group/` makes) is exported like any key, and the loader still loads', async () => {
      const model = await modelOf(service);
      const group = model.leaves.find((leaf) => leaf.path.length > 1)!;
      const folder = `${model.consulPrefix}/${group.path[0]}/`;
      const env = envconsulEnvironment(service, [kvEntry(folder, ''), kvEntry(`${model.consulPrefix}/`, '')]);
      assert.deepEqual(env, {
        [`${model.envPrefix}_${group.path[0]!.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}_`]: '',
      });
      assert.deepEqual(await loadFromEnv(service, env), await loadFromEnv(service, {}));
    });

    test('two keys giving one variable: the later key in Consul order wins, silently, as in envconsul', async () => {
      const model = await modelOf(service);
      const env = envconsulEnvironment(service, [
        kvEntry(`${model.consulPrefix}/x_y`, 'second'),
        kvEntry(`${model.consulPrefix}/x/y`, 'first'),
      ]);
      assert.deepEqual(env, { [`${model.envPrefix}_X_Y`]: 'second' });
    });

    test('config → KV → envconsul → loadConfig gives the same config', async () => {
      const model = await modelOf(service);
      await fc.assert(
        fc.asyncProperty(configArbitrary(model, await validatorOf(service)), async (config: JsonValue) => {
          assert.deepEqual(await loadFromEnv(service, envconsulEnvironment(service, kvOf(model, config))), config);
        }),
        { numRuns: RUNS },
      );
    });
  });
}
