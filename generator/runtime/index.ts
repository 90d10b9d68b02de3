/**
 * `wazo-config/runtime`: what generated loaders import. Generated code reaches the runtime only
 * through this module.
 */
export { decode, encode, describeTypes, typeHint, type Decoded } from './codec.ts';
export { load, resolveConfig, consoleLogger, sourcesFor, type LoadOptions, type Resolved } from './load.ts';
export { ConfigError, formatProblem, MASK, type Problem } from './problems.ts';
export { indexOf, SettingsIndex } from './settings-index.ts';
export type { ConfigSource, Layer, SourceContext, SourceOutput } from './sources/source.ts';
export {
  SOURCE_SLOTS,
  sourceTable,
  type SlotBuilders,
  type SourceReplacements,
  type SourceSlot,
} from './sources/table.ts';
export { defaultsSource } from './sources/defaults.ts';
export { envSource, type Env } from './sources/env.ts';
export {
  fileSource,
  listConfDir,
  readYamlFile,
  parseYamlText,
  type FileSourceOptions,
  type ReadOptions,
  type WazoCompat,
} from './sources/files.ts';
export { parseYaml11, type Yaml11Result } from './yaml11.ts';
export { chainMap, type ChainMapOptions } from './sources/chain-map.ts';
export { overridesSource } from './sources/overrides.ts';
export { consulSource, type ConsulSourceSettings } from './sources/consul.ts';
export {
  locateConsul,
  CONSUL_FILE,
  CONSUL_DEFAULTS,
  DEFAULT_WAIT_TIMEOUT_MS,
  type ConsulOptions,
  type ConsulLocation,
  type Locating,
} from './consul/locate.ts';
// The HTTP client itself is loaded only when a session makes a request: types only here.
export type {
  ConsulClient,
  ConsulReadOptions,
  KvEntry,
  ReadMeta,
  TreeRead,
  TxnKvOp,
  TxnResult,
} from './consul/client.ts';
export { ConsulFailure, type FailureKind } from './consul/failure.ts';
export { ConsulSession, hiddenByAcl } from './consul/session.ts';
export { decodeEntries, consulOutput, type DecodedEntries } from './consul/decode.ts';
export { waitForConsul, ConsulUnavailable } from './consul/wait.ts';
export { realClock, type Clock, type WaitClock } from './clock.ts';
export {
  waitForDependencies,
  type DependencyOptions,
  type DependencyContext,
} from './discovery/wait-for-dependencies.ts';
export { discoverySource, discoveredLayer, readInstances, watchedDiscoverySource } from './sources/discovered.ts';
export {
  discoveryWatched,
  watchDiscovery,
  type DiscoveryChange,
  type DiscoveryReporter,
  type DiscoveryWatch,
  type DiscoveryWatchOptions,
} from './watch/discovery-watch.ts';
export {
  startRegistration,
  advertiseAddress,
  type ServiceDiscoverySettings,
  type RegistrationOptions,
  type ServiceRegistration,
  type RegistrationState,
} from './discovery/registration.ts';
export { pemFiles, writePemFiles, type PemFileOptions, type PemFiles } from './pem-files.ts';
export type { HealthInstance, HealthRead, ServiceDefinition } from './consul/client.ts';
export { ConfigTree, dotted, getAt, isObject, pointerOf, pathOfPointer, sourceRows, type SourceRow } from './tree.ts';
export { watch } from './watch/watcher.ts';
export type * from './watch/events.ts';
export { KeyChange, diffConfigs } from './watch/diff.ts';
export {
  BlockingQuery,
  type BlockingAnswer,
  type BlockingFetch,
  type BlockingHandlers,
  type BlockingOptions,
} from './watch/blocking.ts';
export { RESTART_EXIT_CODE, DEFAULT_RESTART, type RestartOptions, type RestartSetting } from './watch/restart.ts';
export { DEFAULT_QUIESCENCE, type QuiescenceOptions } from './watch/quiescence.ts';
export { DEFAULT_BLOCKING_WAIT_MS } from './watch/consul-feed.ts';
export type { Backoff, RateLimit } from './watch/pacing.ts';
export type * from './types.ts';
export { connectFiles, type ConnectFiles } from './connect/files.ts';
export { connectSource, watchedConnectSource } from './connect/source.ts';
export {
  connectTlsOptions,
  connectClientOptions,
  reloadSecureContext,
  spiffeIdOf,
  spiffeIdFor,
  type ConnectTlsOptions,
} from './connect/tls.ts';
export { connectAuthorizer, type Authorization, type ConnectAuthorizer } from './connect/authorize.ts';
