/** The pluggable source interface: each source contributes layers, applied lowest priority first. */
import { decode } from '../codec.ts';
import { showValue, type Problem } from '../problems.ts';
import type { SettingsIndex } from '../settings-index.ts';
import { dotted } from '../tree.ts';
import type { JsonObject, JsonValue, Logger, ServiceSpec, SettingSpec } from '../types.ts';

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

/**
 * A setting's value text (env, Consul, a discovered address) decoded by its type into `layer`, or,
 * when the text is not of that type, one problem naming the key and `source` (secrets masked).
 */
export function decodeInto(
  layer: ValuesLayer,
  problems: Problem[],
  setting: SettingSpec,
  text: string,
  source: string,
): void {
  const decoded = decode(text, setting);
  if (decoded.ok) layer.values.push({ path: setting.path, value: decoded.value, source });
  else
    problems.push({
      key: dotted(setting.path),
      source,
      message: `expected ${decoded.expected}`,
      value: showValue(text, setting.secret),
      hint: decoded.hint,
    });
}

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
