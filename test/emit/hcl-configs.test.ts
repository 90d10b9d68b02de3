/** hcl-configs: envconsul and the two consul-template configs, their strings quoted for HCL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FrameValues } from '../../generator/emit/templates.ts';
import { yamlString } from '../../generator/syntax/yaml.ts';
import { hclString } from '../../generator/syntax/hcl.ts';
import { emitted, modelOf } from './helpers.ts';

describe('emitter hcl-configs', () => {
  const cases = [
    {
      given: 'the default prefix',
      service: {},
      file: 'wazo-t/envconsul.hcl',
      want: ['  path   = "config/wazo-t/"', '  format = "WAZO_T_{{ key }}"', '  command      = ["/usr/bin/wazo-t"]'],
    },
    {
      given: 'an own consulPrefix and envPrefix',
      service: { consulPrefix: 'kv/t', envPrefix: 'T' },
      file: 'wazo-t/envconsul.hcl',
      want: ['  path   = "kv/t/"', '  format = "T_{{ key }}"'],
    },
    {
      given: 'a systemd host',
      service: {},
      file: 'wazo-t/consul-template.hcl',
      want: [
        '  source      = "/usr/share/wazo-config/wazo-t/wazo-t.env.ctmpl"',
        '  destination = "/etc/wazo-t/wazo-t.env"',
        '    command = ["systemctl", "try-restart", "wazo-t.service"]',
      ],
    },
    {
      given: 'Kubernetes',
      service: {},
      file: 'wazo-t/consul-template.kubernetes.hcl',
      want: [
        '    command = ["/bin/sh", "-c", "kubectl apply -f /run/wazo-config/wazo-t/configmap.yaml && kubectl rollout restart deployment/wazo-t"]',
      ],
    },
  ];
  for (const { given, service, file, want } of cases) {
    it(`given ${given}: ${file}`, async () => {
      const text = (await emitted('hcl-configs', modelOf({ a: { type: 'string' } }, service))).get(file)!;
      const lines = text.split('\n');
      for (const line of want) assert.ok(lines.includes(line), `${line}\nin:\n${text}`);
    });
  }

  it('its frame slots take quoted text only: a plain string is refused at compile time', () => {
    type Slots = FrameValues<'consul-template-block.hcl'>;
    // @ts-expect-error a plain string is not quoted for the frame's syntax
    const plain: Slots = { command: '/usr/bin/x' };
    // @ts-expect-error a YAML scalar is not an HCL expression
    const yaml: Slots = { command: yamlString('/usr/bin/x') };
    const quotedHcl: Slots = { command: hclString('/usr/bin/x') };
    assert.deepEqual([plain.command, yaml.command, quotedHcl.command], ['/usr/bin/x', '"/usr/bin/x"', '"/usr/bin/x"']);
  });
});
