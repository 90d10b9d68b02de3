/**
 * Rules over the model, as data: each rule's name is the error text, its hint says what to do.
 * They catch what the meta-schemas cannot see: names that collide across the whole service.
 */
import { createCompilingAjv } from './ajv.ts';
import { checkedValidator } from './check.ts';
import { allSettings, PEM_MEDIA_TYPE, type LeafSetting, type ServiceModel, type Setting } from './model.ts';
import type { SchemaProblem } from './schema-problems.ts';
import { validationSchemaOf } from './validation-schema.ts';
import { getAt, pathOfPointer } from './runtime/tree.ts';
import type { JsonObject } from './runtime/types.ts';

interface Finding {
  pointer: string;
  detail?: string;
}

interface Rule {
  name: string;
  hint: string;
  find(model: ServiceModel): Finding[];
}

// The rules run on schemas check.ts passed: no meta-schema to validate them against again.
const ajv = createCompilingAjv({ allErrors: true });

export const RULES: Rule[] = [
  {
    name: 'a property name cannot be empty',
    hint: 'name it: the name is the key in config files, a segment of the Consul key and part of the env name',
    find: (model) =>
      [...allSettings(model.root)].filter((s) => s.path.at(-1) === '').map((s) => ({ pointer: s.pointer })),
  },
  {
    name: 'a property name cannot be "." or ".."',
    hint: 'rename it: as a Consul key segment, HTTP clients resolve it like a directory in the URL and read another key',
    find: (model) =>
      [...allSettings(model.root)]
        .filter((s) => s.path.at(-1) === '.' || s.path.at(-1) === '..')
        .map((s) => ({ pointer: s.pointer })),
  },
  {
    name: 'a group (an object with properties) cannot also accept other types',
    hint: 'drop the other types, or make it a leaf without properties (an open map)',
    find: (model) =>
      groups(model)
        .filter((g) => Array.isArray(g.schema.type) && g.schema.type.some((t) => t !== 'object'))
        .map((g) => ({ pointer: `${g.pointer}/type` })),
  },
  {
    name: 'x-env belongs on a leaf',
    hint: 'move it to the scalar, array or open map it names',
    find: (model) =>
      groups(model)
        .filter((g) => 'x-env' in g.schema)
        .map((g) => ({ pointer: `${g.pointer}/x-env` })),
  },
  {
    name: 'two leaves have the same environment variable name',
    hint: 'rename one key, or give one an explicit x-env',
    find: (model) => collisions(model.leaves, (leaf) => leaf.envName),
  },
  {
    name: 'two leaves have the same Consul key',
    hint: 'rename one key',
    find: (model) => collisions(model.leaves, (leaf) => leaf.consulKey),
  },
  {
    name: 'two groups have the same TypeScript type name',
    hint: 'rename one group: type names come from the key path with punctuation removed',
    find: (model) => collisions(groups(model), (group) => group.typeName),
  },
  {
    name: 'x-discover belongs on a group with host and port leaves',
    hint: 'put it on the object whose host and port the discovered instance fills (docs/discovery.md)',
    find: (model) =>
      [...allSettings(model.root)]
        .filter(
          (s) =>
            'x-discover' in s.schema &&
            !(
              s.kind === 'group' &&
              ['host', 'port'].every((key) => s.children.some((c) => c.kind === 'leaf' && c.path.at(-1) === key))
            ),
        )
        .map((s) => ({ pointer: `${s.pointer}/x-discover` })),
  },
  {
    name: 'x-discover names a service that x-service.dependsOn does not list',
    hint: 'add it to x-service.dependsOn, so that waitForDependencies waits for it too',
    find: (model) =>
      groups(model)
        .filter((g) => g.discover !== undefined && !model.dependsOn.includes(g.discover))
        .map((g) => ({ pointer: `${g.pointer}/x-discover`, detail: g.discover })),
  },
  {
    name: 'x-connect-tls belongs on a group',
    hint: 'put it on the object whose certificate, private key and CA leaves take the file paths (docs/tls.md)',
    find: (model) =>
      [...allSettings(model.root)]
        .filter((s) => s.kind === 'leaf' && 'x-connect-tls' in s.schema)
        .map((s) => ({ pointer: `${s.pointer}/x-connect-tls` })),
  },
  {
    name: 'x-connect-tls needs a string leaf for each file path in its group',
    hint: 'add the leaf ({ "type": ["string", "null"] }, a path, not PEM content), or name the one to use: "x-connect-tls": { "certificate": …, "privateKey": …, "ca": … }',
    find: (model) =>
      groups(model).flatMap((g) => {
        if (!g.connectTls) return [];
        const { named } = g.connectTls;
        const roles = [
          ['certificate', g.connectTls.certificate, true],
          ['privateKey', g.connectTls.privateKey, true],
          ['ca', g.connectTls.ca, named.ca],
        ] as const;
        return roles.flatMap(([role, name, needed]) => {
          const leaf = g.children.find((c): c is LeafSetting => c.kind === 'leaf' && c.path.at(-1) === name);
          const usable = leaf !== undefined && leaf.types.includes('string') && !leaf.pem;
          if (usable || (!needed && leaf === undefined)) return [];
          const why = leaf === undefined ? 'missing' : leaf.pem ? 'holds PEM content, not a path' : 'not a string';
          return [{ pointer: `${g.pointer}/x-connect-tls`, detail: `${role} leaf ${JSON.stringify(name)} ${why}` }];
        });
      }),
  },
  {
    name: 'only one group of a service can be marked x-connect-tls',
    hint: 'a service has one Connect identity, one certificate: mark the group that serves it',
    find: (model) =>
      groups(model)
        .filter((g) => g.connectTls)
        .slice(1)
        .map((g) => ({ pointer: `${g.pointer}/x-connect-tls` })),
  },
  {
    name: `contentMediaType ${PEM_MEDIA_TYPE} belongs on a string leaf`,
    hint: 'give it "type": "string" (or ["string", "null"]); a setting that holds a file path is not PEM content',
    find: (model) =>
      [...allSettings(model.root)]
        .filter(
          (s) =>
            s.schema.contentMediaType === PEM_MEDIA_TYPE &&
            !(s.kind === 'leaf' && s.types.includes('string') && s.types.every((t) => t === 'string' || t === 'null')),
        )
        .map((s) => ({ pointer: `${s.pointer}/contentMediaType` })),
  },
  {
    name: 'the service has no setting',
    hint: 'add at least one property with a type (a group counts only through its leaves)',
    find: (model) => (model.leaves.length === 0 ? [{ pointer: '/properties' }] : []),
  },
  {
    name: 'the default is not valid against the schema',
    hint: 'fix the default or widen the type',
    find: (model) => {
      const validate = checkedValidator(model.schema) ?? ajv.compile(validationSchemaOf(model.schema));
      const defaults: JsonObject = {};
      for (const leaf of model.leaves) if (leaf.default !== undefined) setPath(defaults, leaf.path, leaf.default);
      if (validate(defaults)) return [];
      // A required key without a default is a key every deployment sets, not a faulty default.
      return (validate.errors ?? [])
        .filter((e) => e.keyword !== 'required')
        .map((e) => ({
          pointer: `${pointerOfLeafAt(model, pathOfPointer(e.instancePath))}/default`,
          detail: `${e.instancePath || '/'} ${e.message ?? ''}: ${JSON.stringify(getAt(defaults, pathOfPointer(e.instancePath)))}`,
        }));
    },
  },
];

export function checkModel(model: ServiceModel): SchemaProblem[] {
  return RULES.flatMap((rule) =>
    rule.find(model).map((f) => ({
      file: model.file,
      pointer: f.pointer,
      message: f.detail ? `${rule.name}: ${f.detail}` : rule.name,
      hint: rule.hint,
    })),
  );
}

function groups(model: ServiceModel) {
  return [...allSettings(model.root)].filter((s): s is Extract<Setting, { kind: 'group' }> => s.kind === 'group');
}

function collisions<T extends Setting>(settings: T[], nameOf: (s: T) => string): Finding[] {
  const first = new Map<string, T>();
  const findings: Finding[] = [];
  for (const setting of settings) {
    const name = nameOf(setting);
    const earlier = first.get(name);
    if (earlier) findings.push({ pointer: setting.pointer, detail: `${name} is also the name of #${earlier.pointer}` });
    else first.set(name, setting);
  }
  return findings;
}

function pointerOfLeafAt(model: ServiceModel, path: string[]): string {
  let best: LeafSetting | undefined;
  for (const leaf of model.leaves) {
    if (leaf.path.length <= path.length && leaf.path.every((s, i) => s === path[i])) best = leaf;
  }
  return best?.pointer ?? '';
}

function setPath(tree: JsonObject, path: readonly string[], value: JsonObject[string]): void {
  let node = tree;
  for (const segment of path.slice(0, -1)) node = (node[segment] ??= {}) as JsonObject;
  node[path[path.length - 1]!] = value;
}
