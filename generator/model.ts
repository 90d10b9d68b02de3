/**
 * Stage 3 — model: the one typed model of settings that every emitter reads (docs/design.md "The
 * model"). Each setting keeps its resolved schema node (`schema`) for the emitters that hand a
 * schema to a compiler (TypeScript types, the validator, the editor schema); every other fact an
 * emitter needs is a typed field here.
 */
import type { DaemonSpec } from './runtime/render/spec.ts';
import type {
  ConnectTlsSpec,
  DiscoverSpec,
  JsonValue,
  ScalarType,
  ServiceSpec,
  SettingSpec,
  ValueType,
} from './runtime/types.ts';
import type { LoadedSchema, SchemaNode } from './load.ts';
import { escapePointer } from './runtime/tree.ts';
import { isNode } from './walk.ts';

interface Annotations {
  /** Segments from the root; `[]` for the root group. */
  path: string[];
  /** JSON pointer of the node in its schema file. */
  pointer: string;
  description?: string;
  /** `x-mutable`, inherited from the parents. */
  mutable: boolean;
  /** `x-secret`, inherited from the parents. */
  secret: boolean;
  deprecated: boolean;
  /** The node's schema as resolved (`$ref`s replaced), annotations included. */
  schema: SchemaNode;
}

/** An object with fixed `properties`: walked, never stored as one value. */
export interface GroupSetting extends Annotations {
  kind: 'group';
  /** The TypeScript interface name, derived from the path (`RestApiHttps`). */
  typeName: string;
  children: Setting[];
  /** `x-discover`: the Consul service whose passing instance fills this group's host, port… (docs/discovery.md). */
  discover?: string;
  /**
   * `x-connect-tls`: the names of the leaves that take the paths of the service's Connect certificate, key and CA
   * bundle (docs/tls.md).
   */
  connectTls?: ConnectTlsNames;
}

/** The leaves of an `x-connect-tls` group, by name; `ca` is optional unless the schema names it. */
export interface ConnectTlsNames {
  certificate: string;
  privateKey: string;
  ca: string;
  /** Whether the schema named the leaves itself (then each must exist), or took the defaults. */
  named: { certificate: boolean; privateKey: boolean; ca: boolean };
  /** Who owns the files consul-template writes on a systemd host, when not its own user (docs/tls.md). */
  owner: { user?: string; group?: string };
}

/** What `x-connect-tls: true` means. */
export const CONNECT_TLS_DEFAULTS = { certificate: 'certificate', privateKey: 'private_key', ca: 'ca_certificate' };

/** A scalar, an array or an open map: one value, one env var, one Consul key. */
export interface LeafSetting extends Annotations {
  kind: 'leaf';
  /** Accepted JSON types; empty when the schema allows any value. */
  types: ValueType[];
  /** For arrays of scalars, the item types (comma-separated lists are then accepted). */
  itemTypes?: ScalarType[];
  default?: JsonValue;
  enum?: JsonValue[];
  format?: string;
  examples?: JsonValue[];
  envName: string;
  consulKey: string;
  /**
   * `contentMediaType: application/x-pem-file`: the value is PEM text, which the loader also writes to a private file.
   */
  pem?: true;
  /**
   * Listed in its group's `required` and without a default: every deployment must set it (a
   * database URI, a service key). The group holding it is then always present too.
   */
  required?: true;
  /** The numeric, length and item-count bounds, as the schema writes them. */
  bounds?: Bounds;
  pattern?: string;
  /** For an open map whose values declare one `type`: that type (`object` for a map of maps). */
  mapValueType?: string;
}

export interface Bounds {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

const BOUND_KEYWORDS = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
] as const;

export const PEM_MEDIA_TYPE = 'application/x-pem-file';

export type Setting = GroupSetting | LeafSetting;

export interface ServiceModel {
  name: string;
  /** The schema file, relative to the project root. */
  file: string;
  title: string;
  description?: string;
  envPrefix: string;
  consulPrefix: string;
  configFile: string;
  configDir: string;
  dependsOn: string[];
  root: GroupSetting;
  /** Every leaf, in schema order. */
  leaves: LeafSetting[];
  /** The resolved schema, for the emitters that compile it (types, validator). */
  schema: SchemaNode;
  /** `x-service.render` / `reload` / `check`: what `wazo-config exec` needs to run the daemon (docs/exec.md). */
  daemon?: DaemonSpec;
}

const SCALARS = new Set<string>(['string', 'integer', 'number', 'boolean', 'null']);

export function buildModel(loaded: LoadedSchema): ServiceModel {
  const { schema } = loaded;
  const service = schema['x-service'] as {
    name: string;
    envPrefix?: string;
    consulPrefix?: string;
    configFile?: string;
    configDir?: string;
    dependsOn?: string[];
  } & Partial<Omit<DaemonSpec, 'schemaFile'>>;
  const name = service.name;
  const envPrefix = service.envPrefix ?? name.toUpperCase().replaceAll('-', '_');
  const consulPrefix = service.consulPrefix ?? `config/${name}`;
  const leaves: LeafSetting[] = [];

  const walk = (
    node: SchemaNode,
    path: string[],
    pointer: string,
    inherited: { mutable: boolean; secret: boolean },
    requiredHere = false,
  ): Setting => {
    const annotations: Annotations = {
      path,
      pointer,
      description: typeof node.description === 'string' ? node.description : undefined,
      mutable: typeof node['x-mutable'] === 'boolean' ? node['x-mutable'] : inherited.mutable,
      secret: typeof node['x-secret'] === 'boolean' ? node['x-secret'] : inherited.secret,
      deprecated: node.deprecated === true,
      schema: node,
    };
    if (isNode(node.properties)) {
      const children = Object.entries(node.properties)
        .filter((entry): entry is [string, SchemaNode] => isNode(entry[1]))
        .map(([key, child]) =>
          walk(
            child,
            [...path, key],
            `${pointer}/properties/${escapePointer(key)}`,
            annotations,
            requiredNames(node).includes(key),
          ),
        );
      const group: GroupSetting = { kind: 'group', ...annotations, typeName: typeNameOf(path), children };
      if (typeof node['x-discover'] === 'string') group.discover = node['x-discover'];
      const connect = node['x-connect-tls'];
      if (connect === true || isNode(connect)) {
        const named = (key: keyof typeof CONNECT_TLS_DEFAULTS | 'user' | 'group') =>
          isNode(connect) && typeof connect[key] === 'string' ? (connect[key] as string) : undefined;
        const owner = { user: named('user'), group: named('group') };
        group.connectTls = {
          certificate: named('certificate') ?? CONNECT_TLS_DEFAULTS.certificate,
          privateKey: named('privateKey') ?? CONNECT_TLS_DEFAULTS.privateKey,
          ca: named('ca') ?? CONNECT_TLS_DEFAULTS.ca,
          named: {
            certificate: named('certificate') !== undefined,
            privateKey: named('privateKey') !== undefined,
            ca: named('ca') !== undefined,
          },
          owner: Object.fromEntries(Object.entries(owner).filter(([, name]) => name !== undefined)),
        };
      }
      return group;
    }
    const consulRelative = path.map(encodeConsulSegment).join('/');
    // One literal of plain fields, optional ones added after: a spread or a `delete` takes a slow path per leaf, a
    // third of the time of a schema of thousands of leaves.
    const leaf: LeafSetting = {
      kind: 'leaf',
      path,
      pointer,
      description: annotations.description,
      mutable: annotations.mutable,
      secret: annotations.secret,
      deprecated: annotations.deprecated,
      schema: node,
      types: typesOf(node),
      default: node.default as JsonValue | undefined,
      enum: Array.isArray(node.enum) ? (node.enum as JsonValue[]) : undefined,
      format: typeof node.format === 'string' ? node.format : undefined,
      examples: Array.isArray(node.examples) ? (node.examples as JsonValue[]) : undefined,
      envName: typeof node['x-env'] === 'string' ? node['x-env'] : envNameOf(envPrefix, consulRelative),
      consulKey: `${consulPrefix}/${consulRelative}`,
    };
    const itemTypes = itemTypesOf(node);
    if (itemTypes) leaf.itemTypes = itemTypes;
    if (node.contentMediaType === PEM_MEDIA_TYPE) leaf.pem = true;
    if (requiredHere && leaf.default === undefined) leaf.required = true;
    const bounds = boundsOf(node);
    if (bounds) leaf.bounds = bounds;
    if (typeof node.pattern === 'string') leaf.pattern = node.pattern;
    if (isNode(node.additionalProperties) && typeof node.additionalProperties.type === 'string')
      leaf.mapValueType = node.additionalProperties.type;
    leaves.push(leaf);
    return leaf;
  };

  const root = walk(schema, [], '', { mutable: false, secret: false }) as GroupSetting;
  return {
    name,
    file: loaded.file,
    title: typeof schema.title === 'string' ? schema.title : name,
    description: root.description,
    envPrefix,
    consulPrefix,
    configFile: service.configFile ?? `/etc/${name}/config.yml`,
    configDir: service.configDir ?? `/etc/${name}/conf.d`,
    dependsOn: service.dependsOn ?? [],
    root,
    leaves,
    schema,
    ...(service.render || service.reload || service.check
      ? {
          daemon: {
            schemaFile: loaded.file,
            render: service.render ?? [],
            ...(service.reload ? { reload: service.reload } : {}),
            ...(service.check ? { check: service.check } : {}),
          },
        }
      : {}),
  };
}

/** The names a group's `required` lists. */
export function requiredNames(node: SchemaNode): unknown[] {
  return Array.isArray(node.required) ? node.required : [];
}

/** A `/` or `%` inside a segment is percent-encoded, so that one segment stays one key level. */
export function encodeConsulSegment(segment: string): string {
  return segment.replaceAll('%', '%25').replaceAll('/', '%2F');
}

/** What envconsul derives from a key with `format = "<prefix>_{{ key }}"`, `sanitize`, `upcase`. */
export function envNameOf(envPrefix: string, relativeKey: string): string {
  return `${envPrefix}_${relativeKey}`.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
}

export function typeNameOf(path: readonly string[]): string {
  const words = path.flatMap((segment) => segment.split(/[^A-Za-z0-9]+/)).filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return path.length === 0 ? 'Config' : /^[0-9]/.test(name) ? `N${name}` : name;
}

function typesOf(node: SchemaNode): ValueType[] {
  const declared =
    typeof node.type === 'string' ? [node.type] : Array.isArray(node.type) ? (node.type as string[]) : undefined;
  const raw = declared ?? inferTypes(node);
  const types = raw.map((t): ValueType => (t === 'object' ? 'map' : (t as ValueType)));
  // `integer` is a `number`; keeping both would only make the codec try twice.
  return types.includes('number') ? types.filter((t) => t !== 'integer') : types;
}

/** Types for a leaf without `type`: from its `enum` or `const`, else any. */
function inferTypes(node: SchemaNode): string[] {
  const values = Array.isArray(node.enum) ? node.enum : 'const' in node ? [node.const] : undefined;
  if (!values) return [];
  const types = new Set<string>();
  for (const v of values) {
    if (v === null) types.add('null');
    else if (Array.isArray(v)) types.add('array');
    else if (typeof v === 'object') types.add('object');
    else if (typeof v === 'number') types.add(Number.isInteger(v) ? 'integer' : 'number');
    else types.add(typeof v);
  }
  return [...types].sort();
}

function boundsOf(node: SchemaNode): Bounds | undefined {
  const bounds: Bounds = {};
  for (const keyword of BOUND_KEYWORDS) if (typeof node[keyword] === 'number') bounds[keyword] = node[keyword];
  return Object.keys(bounds).length > 0 ? bounds : undefined;
}

function itemTypesOf(node: SchemaNode): ScalarType[] | undefined {
  if (!isNode(node.items)) return undefined;
  const types = typesOf(node.items);
  if (types.length === 0 || !types.every((t) => SCALARS.has(t))) return undefined;
  return types as ScalarType[];
}

/** The settings table row the runtime gets for a leaf. */
export function settingSpecOf(leaf: LeafSetting): SettingSpec {
  const spec: SettingSpec = {
    path: leaf.path,
    env: leaf.envName,
    consulKey: leaf.consulKey,
    types: leaf.types,
    mutable: leaf.mutable,
    secret: leaf.secret,
  };
  if (leaf.itemTypes) spec.itemTypes = leaf.itemTypes;
  if (leaf.default !== undefined) spec.default = leaf.default;
  if (leaf.enum) spec.enum = leaf.enum;
  if (leaf.pem) spec.pem = true;
  if (leaf.required) spec.required = true;
  return spec;
}

/** The runtime's rows for the groups marked `x-discover`, in schema order. */
export function discoverSpecsOf(model: ServiceModel): DiscoverSpec[] {
  return allSettings(model.root).flatMap((s) =>
    s.kind === 'group' && s.discover ? [{ path: s.path, service: s.discover }] : [],
  );
}

/**
 * The runtime's row for the group marked `x-connect-tls` (one per service: rules.ts); the CA leaf only when the group
 * has it.
 */
export function connectTlsSpecOf(model: ServiceModel): ConnectTlsSpec | undefined {
  const group = connectTlsGroupOf(model);
  if (!group?.connectTls) return undefined;
  const names = group.connectTls;
  const has = (name: string) => group.children.some((c) => c.kind === 'leaf' && c.path.at(-1) === name);
  return {
    path: group.path,
    certificate: [...group.path, names.certificate],
    privateKey: [...group.path, names.privateKey],
    ...(has(names.ca) ? { ca: [...group.path, names.ca] } : {}),
  };
}

/** The group marked `x-connect-tls`, if any (one per service: rules.ts). */
export function connectTlsGroupOf(model: ServiceModel): GroupSetting | undefined {
  return allSettings(model.root).find((s): s is GroupSetting => s.kind === 'group' && !!s.connectTls);
}

/** The setting and every setting under it, in schema order (an array: a recursive generator costs a step per level). */
export function allSettings(node: Setting, into: Setting[] = []): Setting[] {
  into.push(node);
  if (node.kind === 'group') for (const child of node.children) allSettings(child, into);
  return into;
}

/** What the runtime knows of a service, but its validator: the generated loader's `service` and the commands' spec. */
export function serviceSpecOf(model: ServiceModel): Omit<ServiceSpec, 'validate'> {
  const discover = discoverSpecsOf(model);
  const connectTls = connectTlsSpecOf(model);
  return {
    name: model.name,
    envPrefix: model.envPrefix,
    consulPrefix: model.consulPrefix,
    configFile: model.configFile,
    configDir: model.configDir,
    settings: model.leaves.map(settingSpecOf),
    ...(model.dependsOn.length > 0 ? { dependsOn: model.dependsOn } : {}),
    ...(discover.length > 0 ? { discover } : {}),
    ...(connectTls ? { connectTls } : {}),
  };
}
