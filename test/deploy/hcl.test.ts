/**
 * Every generated `.hcl` file, read by HashiCorp's HCL v1 library (the parser envconsul and
 * consul-template run on their -config files; test/readers), decoded as they decode it, and compared
 * whole with what the service needs: nothing added, nothing missing, and every path pointing at a
 * generated file. Malformed HCL fails through the same parser.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { SERVICES, generatedPath, readHcl } from './tools.ts';

/** The service's names, spelled out here rather than taken from the generator. */
function names(service: string) {
  return {
    consul: `config/${service}/`,
    env: service.toUpperCase().replaceAll('-', '_'),
    share: `/usr/share/wazo-config/${service}`,
  };
}

const TEMPLATE_WAIT = [{ min: '2s', max: '10s' }];
const MODE_0600 = 0o600;

function read(service: string, file: string) {
  const path = generatedPath(service, file);
  return readHcl(readFileSync(path, 'utf8'), path);
}

for (const service of SERVICES) {
  const { consul, env, share } = names(service);

  describe(`${service}: the HCL configs, as HCL v1 decodes them`, () => {
    test('envconsul.hcl: the prefix with its trailing /, the format, sanitize and upcase, the command and waits', () => {
      assert.deepEqual(read(service, 'envconsul.hcl'), {
        prefix: [{ path: consul, format: `${env}_{{ key }}` }],
        sanitize: true,
        upcase: true,
        pristine: false,
        exec: [{ command: [`/usr/bin/${service}`], kill_signal: 'SIGTERM', kill_timeout: '30s', splay: '5s' }],
        wait: [{ min: '5s', max: '10s' }],
      });
    });

    test('consul-template.hcl: the env file template to /etc/<service>/, 0600, restarting the unit', () => {
      assert.deepEqual(read(service, 'consul-template.hcl'), {
        template: [
          {
            source: `${share}/${service}.env.ctmpl`,
            destination: `/etc/${service}/${service}.env`,
            perms: MODE_0600,
            exec: [{ command: ['systemctl', 'try-restart', `${service}.service`] }],
            wait: TEMPLATE_WAIT,
          },
        ],
      });
    });

    test('consul-template.kubernetes.hcl: the ConfigMap and the Secret to /run, 0600, applied then the Deployment restarted', () => {
      const manifest = (name: string) => ({
        source: `${share}/${name}.yaml.ctmpl`,
        destination: `/run/wazo-config/${service}/${name}.yaml`,
        perms: MODE_0600,
        exec: [
          {
            command: [
              '/bin/sh',
              '-c',
              `kubectl apply -f /run/wazo-config/${service}/${name}.yaml && kubectl rollout restart deployment/${service}`,
            ],
          },
        ],
        wait: TEMPLATE_WAIT,
      });
      assert.deepEqual(read(service, 'consul-template.kubernetes.hcl'), {
        template: [manifest('configmap'), manifest('secret')],
      });
    });

    test('every template source is a generated file', () => {
      for (const file of ['consul-template.hcl', 'consul-template.kubernetes.hcl']) {
        for (const template of read(service, file).template as { source: string }[]) {
          assert.ok(template.source.startsWith(`${share}/`), template.source);
          assert.ok(
            existsSync(generatedPath(service, template.source.slice(share.length + 1))),
            `${file}: ${template.source} is generated`,
          );
        }
      }
    });
  });
}

describe('malformed HCL fails in the real parser', () => {
  const text = readFileSync(generatedPath(SERVICES[0]!, 'envconsul.hcl'), 'utf8');
  for (const [label, broken] of [
    ['a block left open', text.replace(/\n}\n/, '\n')],
    ['a string left open', text.replace('"SIGTERM"', '"SIGTERM')],
    ['an attribute with no value', text.replace('upcase   = true', 'upcase   =')],
  ] as const) {
    test(label, () => {
      assert.notEqual(broken, text);
      assert.throws(() => readHcl(broken, 'envconsul.hcl'), /envconsul\.hcl: HCL: At \d+:\d+/);
    });
  }
});
