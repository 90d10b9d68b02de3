/**
 * `wazo-platform-consul.example`: an example `/etc/wazo-platform/consul`, the file where every
 * service (and the systemd units of consul-template and envconsul, docs/deployment.md) finds Consul
 * when `WAZO_CONSUL_*` are not in its environment. systemd EnvironmentFile syntax; the values are
 * the built-in defaults.
 */
import { banner } from '../syntax/banner.ts';
import { envFileValue } from '../syntax/env.ts';
import type { IndexEmitter } from './emitter.ts';
import { fillFrame } from './deploy-frame.ts';

const FRAME = 'wazo-platform-consul';

export const CONSUL_LOCATION_DEFAULTS: Readonly<Record<string, string>> = {
  WAZO_CONSUL_HOST: 'consul',
  WAZO_CONSUL_PORT: '8500',
  WAZO_CONSUL_SCHEME: 'http',
};

export const consulLocationEmitter: IndexEmitter = {
  name: 'consul-location',
  emitAll(_models, { root }) {
    const assignments = Object.entries(CONSUL_LOCATION_DEFAULTS)
      .map(([name, value]) => {
        const quoted = envFileValue(name, value);
        if (!quoted.ok) throw new Error(`${name}: ${quoted.reason}`);
        return `${name}=${quoted.text}`;
      })
      .join('\n');
    const contents = fillFrame(root, FRAME, { banner: banner.hash(`templates/deploy/${FRAME}`), assignments });
    return [{ path: `${FRAME}.example`, contents }];
  },
};
