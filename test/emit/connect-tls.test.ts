/** connect-tls: the Connect templates, the kubernetes.io/tls Secret and connect-tls.env, only for a marked group. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checked, emitted, modelOf } from './helpers.ts';

const path = { type: ['string', 'null'], default: null };
const tlsGroup = (mark: unknown, extra: Record<string, unknown> = {}) => ({
  api: {
    type: 'object',
    'x-connect-tls': mark,
    ...extra,
    properties: { cert_file: path, key_file: path, certificate: path, private_key: path },
  },
});

describe('emitter connect-tls', () => {
  it('given no x-connect-tls: nothing, and the consul-template configs have only their KV templates', async () => {
    const model = modelOf({ api: { type: 'object', properties: { certificate: path, private_key: path } } });
    assert.deepEqual([...(await emitted('connect-tls', model)).keys()], []);
    const hcl = await emitted('hcl-configs', model);
    assert.equal(hcl.get('wazo-t/consul-template.hcl')!.match(/^template \{/gm)?.length, 1);
    assert.equal(hcl.get('wazo-t/consul-template.kubernetes.hcl')!.match(/^template \{/gm)?.length, 2);
  });

  it('given x-connect-tls: the three PEM templates reading caLeaf of the service and caRoots, the Secret, the env file', async () => {
    const files = await emitted('connect-tls', modelOf(tlsGroup(true)));
    assert.deepEqual(
      [...files.keys()],
      [
        'wazo-t/connect-tls.crt.ctmpl',
        'wazo-t/connect-tls.key.ctmpl',
        'wazo-t/connect-ca.crt.ctmpl',
        'wazo-t/connect-tls-secret.yaml.ctmpl',
        'wazo-t/connect-tls.env',
      ],
    );
    assert.ok(
      files.get('wazo-t/connect-tls.crt.ctmpl')!.includes('{{ with caLeaf "wazo-t" }}{{ .CertPEM | trimSpace }}'),
    );
    assert.ok(files.get('wazo-t/connect-tls.key.ctmpl')!.includes('{{ with caLeaf "wazo-t" }}{{ .PrivateKeyPEM'));
    assert.ok(files.get('wazo-t/connect-ca.crt.ctmpl')!.includes('{{ range caRoots }}{{ .RootCertPEM | trimSpace }}'));
    const secret = files.get('wazo-t/connect-tls-secret.yaml.ctmpl')!.split('\n');
    for (const line of ['  name: "wazo-t-connect-tls"', 'type: kubernetes.io/tls', '{{- with caLeaf "wazo-t" }}'])
      assert.ok(secret.includes(line), line);
    // true takes certificate and private_key; the group has no ca_certificate, so no CA line.
    const env = files.get('wazo-t/connect-tls.env')!.split('\n');
    assert.deepEqual(
      env.filter((line) => line.startsWith('WAZO_T_')),
      [
        "WAZO_T_API_CERTIFICATE='/run/wazo-config/wazo-t/connect/tls.crt'",
        "WAZO_T_API_PRIVATE_KEY='/run/wazo-config/wazo-t/connect/tls.key'",
      ],
    );
  });

  it('given leaves named by the mark: the env file names those', async () => {
    const files = await emitted('connect-tls', modelOf(tlsGroup({ certificate: 'cert_file', privateKey: 'key_file' })));
    const env = files.get('wazo-t/connect-tls.env')!.split('\n');
    assert.deepEqual(
      env.filter((line) => line.startsWith('WAZO_T_')).map((line) => line.split('=')[0]),
      ['WAZO_T_API_CERT_FILE', 'WAZO_T_API_KEY_FILE'],
    );
  });

  for (const [given, extra, verb] of [
    ['a group applied live (x-mutable)', { 'x-mutable': true }, 'try-reload-or-restart'],
    ['a group that needs a restart', {}, 'try-restart'],
  ] as const) {
    it(`given ${given}: the systemd config writes the files and runs systemctl ${verb}`, async () => {
      const hcl = (await emitted('hcl-configs', modelOf(tlsGroup(true, extra)))).get('wazo-t/consul-template.hcl')!;
      const lines = hcl.split('\n');
      for (const [source, destination] of [
        ['connect-tls.crt.ctmpl', 'tls.crt'],
        ['connect-tls.key.ctmpl', 'tls.key'],
        ['connect-ca.crt.ctmpl', 'ca.crt'],
      ]) {
        assert.ok(lines.includes(`  source      = "/usr/share/wazo-config/wazo-t/${source}"`), source);
        assert.ok(lines.includes(`  destination = "/run/wazo-config/wazo-t/connect/${destination}"`), destination);
      }
      // One command per Connect template (run once per render), plus the env file's own try-restart.
      const commands = hcl.split(`    command = ["systemctl", "${verb}", "wazo-t.service"]`).length - 1;
      assert.equal(commands, verb === 'try-restart' ? 4 : 3);
    });
  }

  it('given user and group in the mark: each Connect file is theirs, aligned under perms; the env file stays consul-template’s', async () => {
    const blocks = (mark: unknown) =>
      emitted('hcl-configs', modelOf(tlsGroup(mark))).then((files) =>
        files.get('wazo-t/consul-template.hcl')!.split('\ntemplate {').slice(1),
      );
    const owned = await blocks({ user: 'wazo-t', group: '108' });
    assert.equal(owned.length, 4);
    assert.ok(!/\b(?:user|group)\b/.test(owned[0]!), owned[0]);
    for (const block of owned.slice(1))
      assert.ok(block.includes('  perms       = 0600\n  user        = "wazo-t"\n  group       = "108"\n'), block);
    // A user alone: no group line (the file keeps consul-template's group).
    for (const block of (await blocks({ user: 'wazo-t' })).slice(1)) {
      assert.ok(block.includes('  perms       = 0600\n  user        = "wazo-t"\n\n  exec {'), block);
      assert.ok(!block.includes('group'), block);
    }
    for (const block of await blocks(true)) assert.ok(block.includes('  perms       = 0600\n\n  exec {'), block);
  });

  it('a service name too long for the Secret is a schema problem', () => {
    const name = `w${'x'.repeat(241)}`; // 242 characters: 254 with -connect-tls
    assert.deepEqual(checked('connect-tls', modelOf(tlsGroup(true), { name })), [
      `/x-service/name: ${name}-connect-tls (the Secret of its Connect TLS material) is not a Kubernetes object name`,
    ]);
  });
});
