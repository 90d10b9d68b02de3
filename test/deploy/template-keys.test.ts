/**
 * Consul keys and consul-template's key grammar: `key`/`keyExists` end the key at the first `?`
 * (query parameters) or `@` (a datacenter). The Go harness parses arguments as consul-template does,
 * and the generator refuses a property whose Consul key consul-template cannot address.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GenerateError, generate } from '../../generator/index.ts';
import { tempRoot } from '../helpers.ts';
import { kvEntry, render } from './tools.ts';

describe("the harness reads key arguments as consul-template's NewKVGetQuery does", () => {
  const dir = mkdtempSync(join(tmpdir(), 'wazo-config-keys-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const kv = [kvEntry('config/x/a', 'A'), kvEntry('config/x/a?b', 'Q'), kvEntry('config/x/a@dc2', 'D')];
  const run = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return render(path, kv);
  };

  test('a plain key, with or without a leading /', () => {
    assert.deepEqual(run('plain', '{{ key "config/x/a" }}{{ key "/config/x/a" }}{{ keyExists "config/x/a" }}'), {
      output: 'AAtrue',
    });
  });

  test('`?` starts query parameters: `b` is none of ns, peer, partition, sameness-group', () => {
    const result = run('query', '{{ keyExists "config/x/a?b" }}');
    assert.ok(
      'error' in result && result.error.includes('kv.get: invalid query parameter key "b" in query "b"'),
      JSON.stringify(result),
    );
  });

  test('`@` starts a datacenter: the key read is config/x/a, elsewhere', () => {
    const result = run('dc', '{{ key "config/x/a@dc2" }}');
    assert.ok(
      'error' in result && result.error.includes('reads key "config/x/a" in datacenter "dc2"'),
      JSON.stringify(result),
    );
  });

  test('a datacenter name with a character outside [[:word:].-] is no key at all', () => {
    const result = run('bad', '{{ key "config/x/a@d c" }}');
    assert.ok(
      'error' in result && result.error.includes('kv.get: invalid format: "config/x/a@d c"'),
      JSON.stringify(result),
    );
  });
});

describe('the generator refuses a Consul key consul-template cannot address', () => {
  for (const [char, meaning] of [
    ['@', 'the start of a datacenter'],
    ['?', 'the start of query parameters'],
  ] as const) {
    test(`a property named a${char}b`, async () => {
      const root = tempRoot();
      try {
        mkdirSync(join(root, 'schemas'));
        const schema = {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          'x-service': { name: 'demo' },
          type: 'object',
          properties: { [`a${char}b`]: { type: 'string', default: 'x' } },
        };
        writeFileSync(join(root, 'schemas', 'demo.schema.json'), JSON.stringify(schema));
        const error = await generate({ root }).then(
          () => assert.fail('generate should refuse the key'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof GenerateError, String(error));
        assert.equal(
          error.message,
          `schemas/demo.schema.json#/properties/a${char}b: Consul key config/demo/a${char}b contains ${char}, which consul-template reads as ${meaning} (rename the property, or give x-service a consulPrefix without ${char})`,
        );
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
