/**
 * Our keywords (DESIGN.md "Schema vocabulary"), each with the meta-schema its value must pass.
 * ajv gets them as annotation keywords, so strict mode accepts them and ignores them when validating.
 */
export const VOCABULARY = {
  'x-service': {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
      envPrefix: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
      consulPrefix: { type: 'string', pattern: '^[^/](.*[^/])?$' },
      configFile: { type: 'string', pattern: '^/' },
      configDir: { type: 'string', pattern: '^/' },
      dependsOn: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } },
    },
  },
  'x-mutable': { type: 'boolean' },
  'x-secret': { type: 'boolean' },
  'x-env': { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  /** On a group with host and port children: the Consul service whose passing instance fills them (docs/discovery.md). */
  'x-discover': { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
} as const;

export type Vocabulary = typeof VOCABULARY;
