import type { ConfigSource } from './source.ts';

/** The `defaults` slot of the source table (table.ts): the schema defaults. */
export function defaultsSource(): ConfigSource {
  return {
    name: 'defaults',
    async read({ service }) {
      const values = service.settings
        .filter((s) => s.default !== undefined)
        .map((s) => ({ path: s.path, value: s.default!, source: 'default' }));
      return { layers: [{ kind: 'values', values }], problems: [] };
    },
  };
}
