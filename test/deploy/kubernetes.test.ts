/**
 * `configmap.yaml.ctmpl` and `secret.yaml.ctmpl`: config → Consul KV → rendered by Go's
 * text/template → parsed as YAML → Kubernetes' rules hold → their data as the pod's env → loadConfig
 * → the same config.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { configArbitrary, validatorOf } from './arbitraries.ts';
import { podEnvironment } from './paths.ts';
import { SERVICES, kvOf, loadFromEnv, modelOf } from './tools.ts';

/** Runs per service (no fixed seed). */
const RUNS = 30;

for (const service of SERVICES) {
  describe(`${service} ConfigMap and Secret`, () => {
    test('with nothing in Consul: the ConfigMap holds the defaults, the Secret nothing, and they load as the defaults', async () => {
      const model = await modelOf(service);
      const env = podEnvironment(model, []);
      for (const leaf of model.leaves.filter((l) => l.secret))
        assert.ok(!(leaf.envName in env), `${leaf.envName} written from the schema`);
      assert.deepEqual(await loadFromEnv(service, env), await loadFromEnv(service, {}));
    });

    test('config → KV → ConfigMap + Secret → envFrom → loadConfig gives the same config', async () => {
      const model = await modelOf(service);
      const arbitrary = configArbitrary(model, await validatorOf(service));
      await fc.assert(
        fc.asyncProperty(arbitrary, async (config: JsonValue) => {
          assert.deepEqual(await loadFromEnv(service, podEnvironment(model, kvOf(model, config))), config);
        }),
        { numRuns: RUNS },
      );
    });
  });
}
