/**
 * KV entries under a service's prefix → leaf values, each decoded by its leaf's schema with the
 * one value-text codec; keys that name no leaf are reported with a "did you mean".
 */
import { didYouMean, type Problem } from '../problems.ts';
import type { SettingsIndex } from '../settings-index.ts';
import { decodeInto, type SourceOutput, type ValuesLayer } from '../sources/source.ts';
import { dotted, pointerOf } from '../tree.ts';
import type { KvEntry } from './client.ts';

export interface DecodedEntries {
  layer: ValuesLayer;
  /** Values that do not read as their leaf's type: the loader's messages. */
  invalid: Problem[];
  /** Keys under the prefix that name no leaf (message `unknown key`, with a hint). */
  unknown: Problem[];
}

export function decodeEntries(entries: readonly KvEntry[], index: SettingsIndex): DecodedEntries {
  const prefix = index.service.consulPrefix + '/';
  const layer: ValuesLayer = { kind: 'values', values: [] };
  const invalid: Problem[] = [];
  const unknown: Problem[] = [];
  for (const entry of entries) {
    const source = `consul ${entry.key}`;
    const text = entry.value ?? '';
    const setting = index.byConsulKey.get(entry.key);
    if (setting && entry.notUtf8) {
      invalid.push({
        key: dotted(setting.path),
        source,
        message: 'the stored bytes are not UTF-8 text',
        hint: `write the value again as text at ${entry.key}`,
      });
      continue;
    }
    if (setting) {
      decodeInto(layer, invalid, setting, text, source);
      continue;
    }
    // "Folders" (`config/wazo-auth/`, `…/bus/`) are how UIs show the hierarchy: not settings.
    if (entry.key.endsWith('/') && text === '') continue;
    const relative = entry.key.slice(prefix.length);
    unknown.push({
      key: dotted(pathOfKey(relative)),
      source,
      message: 'unknown key',
      hint: unknownHint(relative, index),
    });
  }
  return { layer, invalid, unknown };
}

/**
 * A Consul read as a source's output: invalid values are problems; unknown keys are warnings
 * worded as the loader words unknown keys in files, or problems under `strict`.
 */
export function consulOutput(entries: readonly KvEntry[], index: SettingsIndex, strict: boolean): SourceOutput {
  const { layer, invalid, unknown } = decodeEntries(entries, index);
  if (strict) return { layers: [layer], problems: [...invalid, ...unknown] };
  return {
    layers: [layer],
    problems: invalid,
    warnings: unknown.map((p) => `unknown key ${p.key} (${p.source}): ${p.hint}`),
  };
}

/** Key segments back to path segments: `%2F` → `/`, `%25` → `%` (the model's encoding). */
export function pathOfKey(relativeKey: string): string[] {
  return relativeKey.split('/').map((segment) => segment.replace(/%(2F|25)/gi, (m) => (m === '%25' ? '%' : '/')));
}

function unknownHint(relative: string, index: SettingsIndex): string {
  const prefix = index.service.consulPrefix;
  const path = pathOfKey(relative);
  const leaf = index.leafFor(path);
  if (leaf) return `${dotted(leaf.path)} is one key holding the whole value as JSON: write it at ${leaf.consulKey}`;
  if (index.groups.has(pointerOf(path)))
    return `${dotted(path)} is a group: write each of its settings under its own key, ${prefix}/${relative.replace(/\/$/, '')}/<name>`;
  const known = [...index.byConsulKey.keys()].map((key) => key.slice(prefix.length + 1));
  const guess = didYouMean(relative, known);
  return guess
    ? `did you mean ${prefix}/${guess}?`
    : 'check the spelling against the settings reference, or delete the key';
}
