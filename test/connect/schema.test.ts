/** `x-connect-tls` in schemas: the meta-schema, the model rules, the runtime spec. */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generate } from '../../generator/index.ts';
import { connectTlsGroupOf, serviceSpecOf } from '../../generator/model.ts';
import { modelsOf, problemsOf, tempRoot } from '../helpers.ts';

const F = 'schemas/wazo-x.schema.json';
const schema = (properties: Record<string, unknown>) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  'x-service': { name: 'wazo-x' },
  properties,
});
const path = (description: string) => ({ type: ['string', 'null'], default: null, description });
const restApi = {
  type: 'object',
  'x-connect-tls': true,
  'x-mutable': true,
  properties: {
    port: { type: 'integer', default: 9497 },
    certificate: path('certificate file'),
    private_key: path('key file'),
  },
};

const models = (content: unknown) => modelsOf(F, content);
const problems = (content: unknown) => problemsOf(F, content);

const NEEDS =
  'x-connect-tls needs a string leaf for each file path in its group: %s (add the leaf ({ "type": ["string", "null"] }, a path, not PEM content), or name the one to use: "x-connect-tls": { "certificate": …, "privateKey": …, "ca": … })';

describe('x-connect-tls in schemas', () => {
  it('true takes certificate and private_key, and ca_certificate when the group has it', async () => {
    const [model] = await models(schema({ rest_api: restApi }));
    assert.deepEqual(serviceSpecOf(model!).connectTls, {
      path: ['rest_api'],
      certificate: ['rest_api', 'certificate'],
      privateKey: ['rest_api', 'private_key'],
    });
    const withCa = { ...restApi, properties: { ...restApi.properties, ca_certificate: path('CA bundle') } };
    const [model2] = await models(schema({ rest_api: withCa }));
    assert.deepEqual(serviceSpecOf(model2!).connectTls?.ca, ['rest_api', 'ca_certificate']);
  });

  it('an object names the leaves (Wazo clients call the CA verify_certificate)', async () => {
    const tls = {
      type: 'object',
      'x-connect-tls': { certificate: 'cert_file', privateKey: 'key_file', ca: 'verify_certificate' },
      properties: {
        cert_file: path('c'),
        key_file: path('k'),
        verify_certificate: { type: ['boolean', 'string'], default: true },
      },
    };
    const [model] = await models(schema({ auth: tls }));
    assert.deepEqual(serviceSpecOf(model!).connectTls, {
      path: ['auth'],
      certificate: ['auth', 'cert_file'],
      privateKey: ['auth', 'key_file'],
      ca: ['auth', 'verify_certificate'],
    });
  });

  it('is checked: its shape, a group, the leaves it needs, one group per service', async () => {
    const HINT =
      'x-connect-tls is true, or { certificate?, privateKey?, ca?, user?, group? }: the leaves of the group, and who owns the files consul-template writes (docs/tls.md)';
    assert.deepEqual(await problems(schema({ rest_api: { ...restApi, 'x-connect-tls': { cert: 'x' } } })), [
      `${F}#/properties/rest_api/x-connect-tls: invalid x-connect-tls: unknown property "cert" (${HINT})`,
    ]);
    // An owner is a name chown takes (or an id), never a path or a shell word.
    for (const owner of ['Postgres', 'wazo auth', '../root', '', 'a'.repeat(33)])
      assert.deepEqual(
        await problems(schema({ rest_api: { ...restApi, 'x-connect-tls': { user: 'postgres', group: owner } } })),
        [
          `${F}#/properties/rest_api/x-connect-tls/group: invalid x-connect-tls: must match pattern "^(?:[a-z_][a-z0-9_-]{0,31}|[0-9]+)$" (${HINT})`,
        ],
        JSON.stringify(owner),
      );
    const [model] = await models(
      schema({ rest_api: { ...restApi, 'x-connect-tls': { user: 'postgres', group: '108' } } }),
    );
    assert.deepEqual(connectTlsGroupOf(model!)?.connectTls?.owner, { user: 'postgres', group: '108' });
    assert.deepEqual(
      await problems(
        schema({
          a: { type: 'string', 'x-connect-tls': true },
          b: {
            type: 'object',
            'x-connect-tls': { ca: 'bundle' },
            properties: {
              certificate: { type: 'string', contentMediaType: 'application/x-pem-file' },
              private_key: { type: 'integer' },
            },
          },
          c: restApi,
        }),
      ),
      [
        `${F}#/properties/a/x-connect-tls: x-connect-tls belongs on a group (put it on the object whose certificate, private key and CA leaves take the file paths (docs/tls.md))`,
        `${F}#/properties/b/x-connect-tls: ${NEEDS.replace('%s', 'certificate leaf "certificate" holds PEM content, not a path')}`,
        `${F}#/properties/b/x-connect-tls: ${NEEDS.replace('%s', 'privateKey leaf "private_key" not a string')}`,
        `${F}#/properties/b/x-connect-tls: ${NEEDS.replace('%s', 'ca leaf "bundle" missing')}`,
        `${F}#/properties/c/x-connect-tls: only one group of a service can be marked x-connect-tls (a service has one Connect identity, one certificate: mark the group that serves it)`,
      ],
    );
  });

  it("the service's README says which keys Connect fills, and how a renewal is applied", async () => {
    const root = tempRoot();
    try {
      mkdirSync(join(root, 'schemas'));
      writeFileSync(join(root, F), JSON.stringify(schema({ rest_api: restApi })));
      await generate({ root });
      const readme = readFileSync(join(root, 'generated/wazo-x/README.md'), 'utf8');
      assert.match(
        readme,
        /Internal TLS from Consul Connect: .*service:write on wazo-x.* `rest_api\.certificate`, `rest_api\.private_key` to their paths \(source consul connect\); .*reported as a live change\. For a daemon that does not fetch them itself, consul-template renders them with `connect-tls\.crt\.ctmpl`, `connect-tls\.key\.ctmpl`, `connect-ca\.crt\.ctmpl`, `connect-tls-secret\.yaml\.ctmpl` \(a kubernetes\.io\/tls Secret\), and `connect-tls\.env` points the keys at the files\. See \[internal TLS\]\(\.\.\/\.\.\/docs\/tls\.md\)\./,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
