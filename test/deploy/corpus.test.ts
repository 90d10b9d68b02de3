/**
 * Every schema with the real-world values of its service's shipped config.yml (the corpus): loaded,
 * put in Consul, then through the env file (every reader, docker-compose too), the ConfigMap + Secret
 * and envconsul, and loaded back: the same config every time.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { CORPUS, memoryLogger } from '../helpers.ts';
import { envconsulEnvironment, podEnvironment } from './paths.ts';
import { missingTool } from '../missing-tool.ts';
import {
  SERVICES,
  composeEnvironments,
  generatedPath,
  kvOf,
  loadFromEnv,
  modelOf,
  readers,
  rendered,
  runBatch,
} from './tools.ts';

async function corpusConfig(service: string): Promise<JsonValue> {
  const { loadConfig } = (await import(generatedPath(service, 'config.ts'))) as {
    loadConfig: (o: object) => Promise<JsonValue>;
  };
  return loadConfig({
    env: {},
    configFile: join(CORPUS, service, 'config.yml'),
    configDir: false,
    consul: false,
    logger: memoryLogger(),
  });
}

const cases: { service: string; text: string; config: JsonValue }[] = [];

before(async () => {
  for (const service of SERVICES) {
    const model = await modelOf(service);
    const config = await corpusConfig(service);
    cases.push({
      service,
      text: rendered(
        runBatch([{ template: generatedPath(service, `${service}.env.ctmpl`), kv: kvOf(model, config) }])[0]!,
      ),
      config,
    });
  }
});

test('the corpus configs survive every deployment path', async () => {
  assert.equal(cases.length, SERVICES.length);
  for (const { service, text, config } of cases) {
    const model = await modelOf(service);
    const kv = kvOf(model, config);
    for (const [reader, parse] of Object.entries(readers))
      assert.deepEqual(await loadFromEnv(service, parse(text)), config, `${service}: ${reader}`);
    assert.deepEqual(await loadFromEnv(service, podEnvironment(model, kv)), config, `${service}: ConfigMap + Secret`);
    assert.deepEqual(await loadFromEnv(service, envconsulEnvironment(service, kv)), config, `${service}: envconsul`);
  }
});

test(
  'docker-compose reads the corpus env files as the same configs',
  { skip: missingTool('docker-compose', ['version'], 'docker-compose') },
  async () => {
    const environments = composeEnvironments(cases.map((c) => c.text));
    for (const [i, { service, config }] of cases.entries())
      assert.deepEqual(await loadFromEnv(service, environments[i]!), config, `${service}: docker-compose`);
  },
);
