/**
 * `x-discover` and PEM content in schemas: the meta-schema, the model rules, the model, the runtime spec, the real
 * schemas.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { discoverSpecsOf, settingSpecOf } from '../../generator/model.ts';
import { modelsOf, problemsOf, REPO } from '../helpers.ts';
import { FIXTURES } from './helpers.ts';

const F = 'schemas/wazo-x.schema.json';
const schema = (properties: Record<string, unknown>, dependsOn: string[] = ['wazo-auth']) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  'x-service': { name: 'wazo-x', dependsOn },
  properties,
});
const hostPort = { host: { type: 'string', default: 'localhost' }, port: { type: 'integer', default: 9497 } };

const models = (content: unknown) => modelsOf(F, content);
const problems = (content: unknown) => problemsOf(F, content);

describe('x-discover and contentMediaType in schemas', () => {
  it('x-discover is a service name', async () => {
    assert.deepEqual(await problems(schema({ auth: { type: 'object', 'x-discover': true, properties: hostPort } })), [
      `${F}#/properties/auth/x-discover: invalid x-discover: must be string (x-discover is the name of the Consul service to discover, such as "wazo-auth")`,
    ]);
    assert.deepEqual(
      await problems(schema({ auth: { type: 'object', 'x-discover': 'Wazo Auth', properties: hostPort } })),
      [
        `${F}#/properties/auth/x-discover: invalid x-discover: must match pattern "^[a-z][a-z0-9-]*$" (x-discover is the name of the Consul service to discover, such as "wazo-auth")`,
      ],
    );
  });

  it('x-discover belongs on a group with host and port leaves, naming a dependency', async () => {
    assert.deepEqual(
      await problems(
        schema({
          auth: { type: 'object', 'x-discover': 'wazo-auth', properties: { host: { type: 'string' } } },
          host: { type: 'string', 'x-discover': 'wazo-auth' },
          confd: { type: 'object', 'x-discover': 'wazo-confd', properties: hostPort },
        }),
      ),
      [
        `${F}#/properties/auth/x-discover: x-discover belongs on a group with host and port leaves (put it on the object whose host and port the discovered instance fills (docs/discovery.md))`,
        `${F}#/properties/host/x-discover: x-discover belongs on a group with host and port leaves (put it on the object whose host and port the discovered instance fills (docs/discovery.md))`,
        `${F}#/properties/confd/x-discover: x-discover names a service that x-service.dependsOn does not list: wazo-confd (add it to x-service.dependsOn, so that waitForDependencies waits for it too)`,
      ],
    );
  });

  it('PEM content belongs on a string leaf', async () => {
    const pem = { contentMediaType: 'application/x-pem-file' };
    assert.deepEqual(
      await problems(
        schema({
          a: { type: 'integer', ...pem },
          b: { type: ['string', 'integer'], ...pem },
          tls: { type: 'object', ...pem, properties: { c: { type: 'string' } } },
        }),
      ),
      [
        `${F}#/properties/a/contentMediaType: contentMediaType application/x-pem-file belongs on a string leaf (give it "type": "string" (or ["string", "null"]); a setting that holds a file path is not PEM content)`,
        `${F}#/properties/b/contentMediaType: contentMediaType application/x-pem-file belongs on a string leaf (give it "type": "string" (or ["string", "null"]); a setting that holds a file path is not PEM content)`,
        `${F}#/properties/tls/contentMediaType: contentMediaType application/x-pem-file belongs on a string leaf (give it "type": "string" (or ["string", "null"]); a setting that holds a file path is not PEM content)`,
      ],
    );
  });

  it('reach the model and the runtime spec', async () => {
    const [model] = await models(
      schema({
        auth: {
          type: 'object',
          'x-discover': 'wazo-auth',
          properties: { ...hostPort, inner: { type: 'object', properties: {} } },
        },
        cert: { type: 'string', contentMediaType: 'application/x-pem-file' },
        path: { type: 'string', contentMediaType: 'text/plain' },
      }),
    );
    assert.deepEqual(discoverSpecsOf(model!), [{ path: ['auth'], service: 'wazo-auth' }]);
    const specs = Object.fromEntries(model!.leaves.map((leaf) => [leaf.path.join('.'), settingSpecOf(leaf)]));
    assert.equal(specs.cert!.pem, true);
    assert.equal('pem' in specs.path!, false);
    assert.equal('pem' in specs['auth.host']!, false);
  });

  it('the real schemas discover wazo-auth and wazo-confd, which register in Consul, and mark no certificate path as PEM', () => {
    const discovered: Record<string, string[]> = {};
    for (const service of ['wazo-auth', 'wazo-calld', 'wazo-confd', 'wazo-dird', 'wazo-webhookd']) {
      const text = readFileSync(join(REPO, 'schemas', `${service}.schema.json`), 'utf8');
      discovered[service] = [
        ...text.matchAll(/"([a-z_]+)": \{\n\s+"type": "object",\n\s+"x-discover": "([a-z-]+)"/g),
      ].map((m) => `${m[1]} → ${m[2]}`);
      assert.ok(!text.includes('application/x-pem-file'), service);
      const generated = readFileSync(join(REPO, 'generated', service, 'config.ts'), 'utf8');
      for (const line of discovered[service])
        assert.ok(
          generated.includes(`{ path: ['${line.split(' → ')[0]}'], service: '${line.split(' → ')[1]}' }`),
          `${service}: ${line}`,
        );
    }
    assert.deepEqual(discovered, {
      'wazo-auth': [],
      'wazo-calld': ['auth → wazo-auth', 'confd → wazo-confd'],
      'wazo-confd': ['auth → wazo-auth'],
      'wazo-dird': ['auth → wazo-auth', 'confd → wazo-confd'],
      'wazo-webhookd': ['auth → wazo-auth'],
    });
  });

  it('the fixture schemas carry PEM leaves and a discovered group', () => {
    const b = readFileSync(join(FIXTURES, 'wazo-b.schema.json'), 'utf8');
    assert.equal([...b.matchAll(/application\/x-pem-file/g)].length, 2);
  });
});
