/** The pluggable source interface: each source contributes layers, applied lowest priority first. */
import type { Problem } from '../problems.ts';
import type { SettingsIndex } from '../settings-index.ts';
import type { JsonObject, JsonValue, Logger, ServiceSpec } from '../types.ts';

/** A whole (partial) tree deep-merged over what is there, as config files are. */
export interface TreeLayer {
  kind: 'tree';
  source: string;
  tree: JsonObject;
}

/** Whole leaf values that replace what is there, as env vars and Consul keys do. */
export interface ValuesLayer {
  kind: 'values';
  values: { path: readonly string[]; value: JsonValue; source: string }[];
}

export type Layer = TreeLayer | ValuesLayer;

export interface SourceContext {
  service: ServiceSpec;
  index: SettingsIndex;
  logger: Logger;
}

export interface SourceOutput {
  layers: Layer[];
  problems: Problem[];
  /** Non-fatal remarks, e.g. unknown env vars that look like typos. */
  warnings?: string[];
}

export interface ConfigSource {
  /** Shown in logs, e.g. `files`, `consul`, `env`. */
  readonly name: string;
  read(context: SourceContext): Promise<SourceOutput>;
}
