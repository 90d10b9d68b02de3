/** Turns the precompiled validator's errors into problems that name key, source, value and hint. */
import { typeHint } from './codec.ts';
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
    byKey.set(key, {
      key,
      source: missing ? 'nothing' : tree.sourceOf(path),
      message: expected,
      value: missing ? undefined : showValue(getAt(tree.root, path), leaf?.secret ?? false),
      hint: missing && leaf ? whereToSet(leaf, configFile) : hintFor(error, leaf),
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

function hintFor(error: ValidationError, leaf: ReturnType<SettingsIndex['leafFor']>): string {
  if (error.keyword === 'required') return 'set a key under it: the schema requires it and gives no default';
  if (error.keyword === 'enum') return 'use one of the listed values';
  if (leaf && error.keyword === 'type') return typeHint(leaf);
  if (error.keyword === 'minimum' || error.keyword === 'maximum' || error.keyword.startsWith('exclusive')) {
    return 'use a value inside the allowed range';
  }
  return 'see the settings reference for this key';
}
