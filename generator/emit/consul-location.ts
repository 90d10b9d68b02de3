/**
 * `wazo-platform-consul.example`: an example `/etc/wazo-platform/consul`, the file where every
 * service (and the systemd units of consul-template and envconsul, docs/deployment.md) finds Consul
 * when `WAZO_CONSUL_*` are not in its environment. systemd EnvironmentFile syntax; the values are
 * the built-in defaults.
 */
import { CONSUL_DEFAULTS, VARIABLES } from '../runtime/consul/locate.ts';
import { banner } from '../syntax/banner.ts';
import { envFileValue, envLine } from '../syntax/env.ts';
import { joinQuoted } from '../syntax/quoted.ts';
import type { IndexEmitter } from './emitter.ts';
import { fillFrame } from './templates.ts';

const FRAME = 'wazo-platform-consul';

/** The loader's own defaults, under the variable names that set them. */
const ASSIGNED = [
  [VARIABLES.host, CONSUL_DEFAULTS.host],
  [VARIABLES.port, String(CONSUL_DEFAULTS.port)],
  [VARIABLES.scheme, CONSUL_DEFAULTS.scheme],
] as const;

export const consulLocationEmitter: IndexEmitter = {
  name: 'consul-location',
  emitAll(_models, { root }) {
    const assignments = ASSIGNED.map(([name, value]) => {
      const quoted = envFileValue(name, value);
      if (!quoted.ok) throw new Error(`${name}: ${quoted.reason}`);
      return envLine(name, quoted.text);
    });
    const contents = fillFrame(root, 'deploy', FRAME, {
      banner: banner.hash(`templates/deploy/${FRAME}`),
      assignments: joinQuoted(assignments, '\n'),
    });
    return [{ path: `${FRAME}.example`, contents }];
  },
};
