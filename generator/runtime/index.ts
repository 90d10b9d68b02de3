/**
 * `wazo-config/runtime`: what generated loaders import. Generated code reaches the runtime only
 * through this module.
 */
export { decode, encode, describeTypes, typeHint, type Decoded } from './codec.ts';
export { load, resolveConfig, consoleLogger, sourcesFor, type LoadOptions, type Resolved } from './load.ts';
export { ConfigError, formatProblem, MASK, type Problem } from './problems.ts';
export { indexOf, SettingsIndex } from './settings-index.ts';
export type { ConfigSource, Layer, SourceContext, SourceOutput } from './sources/source.ts';
export { defaultsSource } from './sources/defaults.ts';
export { envSource, type Env } from './sources/env.ts';
export { fileSource, listConfDir, readYamlFile, parseYamlText, type FileSourceOptions } from './sources/files.ts';
export { overridesSource } from './sources/overrides.ts';
export { consulSource, type ConsulSourceSettings } from './sources/consul.ts';
export { locateConsul, CONSUL_FILE, CONSUL_DEFAULTS, DEFAULT_WAIT_TIMEOUT_MS, type ConsulOptions, type ConsulLocation, type Locating } from './consul/locate.ts';
export { ConsulKv, ConsulFailure, type KvEntry, type TreeRead, type TxnKvOp, type TxnResult } from './consul/client.ts';
export { decodeEntries, type DecodedEntries } from './consul/decode.ts';
export { readPrefix } from './consul/read.ts';
export { waitForConsul, ConsulUnavailable, type WaitClock } from './consul/wait.ts';
export { ConfigTree, dotted, getAt, isObject, pointerOf, pathOfPointer } from './tree.ts';
export type * from './types.ts';
export * as ajvRuntime from './ajv-runtime.ts';
