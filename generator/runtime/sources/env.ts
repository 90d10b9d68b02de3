import { didYouMean, type Problem } from '../problems.ts';
import { decodeInto, type ConfigSource, type ValuesLayer } from './source.ts';

export type Env = Record<string, string | undefined>;

/**
 * The `env` slot of the source table (table.ts): environment variables, one per leaf, named as envconsul names the
 * leaf's Consul key.
 * A variable that carries the service's prefix but names no leaf is reported only when it is
 * close to a real name: other services' prefixes may extend ours (WAZO_AUTH_KEYS_… vs WAZO_AUTH_…).
 * Closeness is measured on the part after the prefix: measured on the whole name, the shared
 * prefix made WAZO_AUTH_KEYS_BUS_HOST (wazo-auth-keys's) "close" to WAZO_AUTH_CONSUL_HOST.
 */
export function envSource(env: Env): ConfigSource {
  return {
    name: 'env',
    async read({ service, index }) {
      const layer: ValuesLayer = { kind: 'values', values: [] };
      const problems: Problem[] = [];
      const warnings: string[] = [];
      const prefix = service.envPrefix + '_';
      const ownNames = [...index.byEnv.keys()].filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
      for (const [name, text] of Object.entries(env)) {
        if (text === undefined) continue;
        const setting = index.byEnv.get(name);
        if (!setting) {
          if (!name.startsWith(prefix)) continue;
          const guess = didYouMean(name.slice(prefix.length), ownNames);
          if (guess) warnings.push(`unknown environment variable ${name} (did you mean ${prefix}${guess}?)`);
          continue;
        }
        const source = `env ${name}`;
        decodeInto(layer, problems, setting, text, source);
      }
      return { layers: [layer], problems, warnings };
    },
  };
}
