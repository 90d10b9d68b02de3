/** Shapes shared by the runtime and the generated loaders. */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The JSON types a leaf accepts; `map` is an object without fixed properties. */
export type ValueType = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'array' | 'map';
export type ScalarType = 'string' | 'integer' | 'number' | 'boolean' | 'null';

/** What the codec needs to know of a leaf to read its value text. */
export interface ValueSpec {
  /** Accepted types; empty means "any JSON value". */
  types: readonly ValueType[];
  /** For arrays of scalars: the item types, which enable comma-separated lists. */
  itemTypes?: readonly ScalarType[];
}

/** One row of a service's settings table, emitted into its generated loader. */
export interface SettingSpec extends ValueSpec {
  /** Segments from the root, e.g. `['bus', 'port']`. */
  path: readonly string[];
  env: string;
  consulKey: string;
  mutable: boolean;
  secret: boolean;
  /** Absent when the schema gives no default. */
  default?: JsonValue;
  enum?: readonly JsonValue[];
  /** The value is PEM text (`contentMediaType: application/x-pem-file`): the loader writes it to a private file. */
  pem?: boolean;
  /** Required and without a default: loading fails when no source sets it. */
  required?: boolean;
}

/** A group marked `x-discover` (docs/discovery.md): its host, port, scheme/https leaves come from Consul health. */
export interface DiscoverSpec {
  /** The group's path, e.g. `['auth']`. */
  path: readonly string[];
  /** The Consul service name, e.g. `wazo-auth`. */
  service: string;
}

/**
 * The group marked `x-connect-tls` (docs/tls.md): when Consul is located, the loader writes the
 * service's Connect leaf certificate, its key and the CA roots to private files and puts their paths
 * in these leaves.
 */
export interface ConnectTlsSpec {
  /** The group's path, e.g. `['rest_api']`. */
  path: readonly string[];
  certificate: readonly string[];
  privateKey: readonly string[];
  /** Absent when the group has no leaf for the CA bundle. */
  ca?: readonly string[];
}

/** Everything the runtime knows of a service: what its generated loader hands to `load()`. */
export interface ServiceSpec {
  name: string;
  envPrefix: string;
  consulPrefix: string;
  configFile: string;
  configDir: string;
  settings: readonly SettingSpec[];
  /** `x-service.dependsOn`: what `LoadOptions.waitForDependencies` waits for. */
  dependsOn?: readonly string[];
  /** The groups marked `x-discover`. */
  discover?: readonly DiscoverSpec[];
  /** The group marked `x-connect-tls`. */
  connectTls?: ConnectTlsSpec;
  /**
   * The ajv standalone validator compiled at generate time; or `importValidator`, which imports it
   * (generated loaders: the first load imports it, so that importing a loader stays cheap). One of
   * the two is required.
   */
  validate?: CompiledValidator;
  importValidator?: () => Promise<{ validate: CompiledValidator }>;
}

export interface ValidationError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ValidationError[] | null;
}

export interface Logger {
  debug?(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type DeepPartial<T> = T extends readonly (infer _U)[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
