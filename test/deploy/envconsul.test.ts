/**
 * `envconsul.hcl`: config → Consul KV → the environment envconsul gives its child (its naming —
 * strip the prefix, format, sanitize, upcase — run in Go with the prefix block of the generated file)
 * → loadConfig → the same config. And the HCL configs of consul-template point at generated files.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { configArbitrary, validatorOf } from './arbitraries.ts';
import { block, parseHcl } from './hcl-subset.ts';
import { envconsulEnvironment } from './paths.ts';
import { SERVICES, generatedPath, kvEntry, kvOf, loadFromEnv, modelOf } from './tools.ts';

const RUNS = 10;

for (const service of SERVICES) {
  describe(`${service} envconsul`, () => {
    test('envconsul names every Consul key as the loader reads it', async () => {
      const model = await modelOf(service);
      const env = envconsulEnvironment(service, model.leaves.map((leaf) => kvEntry(leaf.consulKey, 'x')));
      assert.deepEqual(Object.keys(env).sort(), model.leaves.map((leaf) => leaf.envName).sort());
    });

    test('a sibling prefix (config/<service>-keys/…) stays out', async () => {
      const model = await modelOf(service);
      const env = envconsulEnvironment(service, [kvEntry(`${model.consulPrefix}-keys/x`, 'y'), kvEntry(`${model.consulPrefix}x`, 'y')]);
      assert.deepEqual(env, {});
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

    test('the consul-template configs render generated templates, with secrets kept private', () => {
      for (const file of ['consul-template.hcl', 'consul-template.kubernetes.hcl']) {
        const templates = parseHcl(readFileSync(generatedPath(service, file), 'utf8')).template as Record<string, unknown>[];
        assert.ok(templates.length > 0);
        for (const template of templates) {
          const source = template.source as string;
          assert.equal(source, `/usr/share/wazo-config/${service}/${basename(source)}`);
          assert.ok(existsSync(generatedPath(service, basename(source))), `${file}: ${source} is generated`);
          assert.equal(template.perms, 0o600);
          assert.ok(Array.isArray(block(template as never, 'exec').command));
        }
      }
    });
  });
}
