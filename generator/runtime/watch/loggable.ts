/**
 * Events as a program logs them: `console.log(event)`, `JSON.stringify(event)` or a structured
 * logger print the whole object, `config` and `next` included. Every event the watcher hands out
 * prints its configurations with secret settings masked (`toJSON`, `util.inspect.custom`); the
 * properties themselves stay the real values, for the program to use.
 */
import { inspect } from 'node:util';
import { MASK } from '../problems.ts';
import { isObject } from '../tree.ts';
import type { JsonValue, ServiceSpec } from '../types.ts';

/** A copy of `config` with every secret setting that has a value replaced by the mask. */
export function maskSecrets(service: ServiceSpec, config: unknown): unknown {
  if (!isObject(config)) return config;
  const copy = structuredClone(config);
  for (const setting of service.settings) {
    if (!setting.secret) continue;
    let node: JsonValue | undefined = copy;
    for (const segment of setting.path.slice(0, -1))
      node = isObject(node) && Object.hasOwn(node, segment) ? node[segment] : undefined;
    const last = setting.path[setting.path.length - 1]!;
    if (isObject(node) && Object.hasOwn(node, last) && node[last] !== null) node[last] = MASK;
  }
  return copy;
}

/** `event` itself, printing with its configurations masked. */
export function loggable<E extends object>(service: ServiceSpec, event: E): E {
  const shown = () => {
    const out = { ...event } as Record<string, unknown>;
    for (const key of ['config', 'next'] as const) if (key in out) out[key] = maskSecrets(service, out[key]);
    return out;
  };
  Object.defineProperty(event, 'toJSON', { value: shown, enumerable: false });
  Object.defineProperty(event, inspect.custom, {
    value: (_depth: number, options: object) => `${inspect(shown(), options)}`,
    enumerable: false,
  });
  return event;
}
