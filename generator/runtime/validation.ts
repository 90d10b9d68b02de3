/** Turns the precompiled validator's errors into problems that name key, source, value and hint. */
import { decode, typeHint } from './codec.ts';
import { showValue, type Problem } from './problems.ts';
import type { SettingsIndex } from './settings-index.ts';
import { dotted, getAt, pathOfPointer, type ConfigTree } from './tree.ts';
import type { SettingSpec, ValidationError } from './types.ts';

/** The main config file a missing key could be written in (false: none is read). */
export type ConfigFileName = string | false;

export const NOT_SET = 'required, not set';

/**
 * Required settings no source set. Checked here rather than left to the validator, which says
 * nothing when the group holding the key is absent altogether (no source set anything in it).
 */
export function missingRequired(tree: ConfigTree, index: SettingsIndex, configFile: ConfigFileName): Problem[] {
  return index.service.settings
    .filter((setting) => setting.required && getAt(tree.root, setting.path) === undefined)
    .map((setting) => ({
      key: dotted(setting.path),
      source: 'nothing',
      message: NOT_SET,
      hint: whereToSet(setting, configFile),
    }));
}

/** Every place a service reads a key from, for the hint of a required key nothing set. */
export function whereToSet(setting: SettingSpec, configFile: ConfigFileName): string {
  return `set ${setting.env}, or Consul ${setting.consulKey}, or ${dotted(setting.path)} in ${configFile || 'a config file'}`;
}

export function problemsFromValidation(
  errors: readonly ValidationError[],
  tree: ConfigTree,
  index: SettingsIndex,
  configFile: ConfigFileName = false,
): Problem[] {
  const byKey = new Map<string, Problem>();
  for (const error of errors) {
    const path = pathOfPointer(error.instancePath);
    if (error.keyword === 'required') path.push(String(error.params.missingProperty));
    const leaf = index.leafFor(path);
    const key = dotted(path);
    const expected = describeError(error);
    const seen = byKey.get(key);
    if (seen) {
      // Several keywords may fail on one value (a union's branches): one problem, every expectation.
      if (!seen.message.includes(expected)) seen.message += `; ${expected}`;
      continue;
    }
    const missing = error.keyword === 'required';
    const source = missing ? 'nothing' : tree.sourceOf(path);
    byKey.set(key, {
      key,
      source,
      message: expected,
      value: missing ? undefined : showValue(getAt(tree.root, path), leaf?.secret ?? false),
      hint: missing && leaf ? whereToSet(leaf, configFile) : hintFor(error, leaf, getAt(tree.root, path), source),
    });
  }
  return [...byKey.values()];
}

/** What each validation keyword expected, in words; others fall back to ajv's message. */
const EXPECTATIONS: Record<string, (p: Record<string, unknown>) => string> = {
  type: (p) => `expected ${String(p.type).split(',').join(' or ')}`,
  enum: (p) => `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
  const: (p) => `expected ${JSON.stringify(p.allowedValue)}`,
  required: () => NOT_SET,
  pattern: (p) => `expected text matching ${String(p.pattern)}`,
  format: (p) => `expected a valid ${String(p.format)}`,
  minimum: (p) => `expected a value >= ${String(p.limit)}`,
  maximum: (p) => `expected a value <= ${String(p.limit)}`,
  exclusiveMinimum: (p) => `expected a value > ${String(p.limit)}`,
  exclusiveMaximum: (p) => `expected a value < ${String(p.limit)}`,
  minLength: (p) => `expected at least ${String(p.limit)} characters`,
  maxLength: (p) => `expected at most ${String(p.limit)} characters`,
  minItems: (p) => `expected at least ${String(p.limit)} items`,
  maxItems: (p) => `expected at most ${String(p.limit)} items`,
  uniqueItems: () => 'expected no duplicate items',
  multipleOf: (p) => `expected a multiple of ${String(p.multipleOf)}`,
};

function describeError(error: ValidationError): string {
  const describe = EXPECTATIONS[error.keyword];
  return describe ? describe(error.params) : `expected a value that passes ${error.keyword} (${error.message ?? ''})`;
}

function hintFor(error: ValidationError, leaf: SettingSpec | undefined, value: unknown, source: string): string {
  if (error.keyword === 'required') return 'set a key under it: the schema requires it and gives no default';
  if (error.keyword === 'enum') return 'use one of the listed values';
  if (leaf && error.keyword === 'type') return quotedHint(leaf, value, source) ?? typeHint(leaf);
  if (error.keyword === 'minimum' || error.keyword === 'maximum' || error.keyword.startsWith('exclusive')) {
    return 'use a value inside the allowed range';
  }
  return 'see the settings reference for this key';
}

/** The words YAML 1.1 (PyYAML, and this loader) reads as booleans when they are not quoted. */
const YAML_BOOLEAN = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;

/**
 * A file's `'no'` or `"5672"` is a string because it is quoted: the type hint ("true or false,
 * also yes/no") would send the reader looking for a spelling mistake there is not. Secrets'
 * values are never echoed.
 */
function quotedHint(leaf: SettingSpec, value: unknown, source: string): string | undefined {
  if (typeof value !== 'string' || leaf.secret || !source.startsWith('file ')) return undefined;
  const meant = decode(value, leaf);
  if (!meant.ok || (typeof meant.value !== 'boolean' && typeof meant.value !== 'number')) return undefined;
  const plain = typeof meant.value === 'boolean' && YAML_BOOLEAN.test(value) ? value : String(meant.value);
  return `'${value}' is quoted, so it is a string; write ${plain} without quotes`;
}
