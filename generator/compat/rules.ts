/**
 * Compatibility rules as data: each rule's name is its message, its kind says whether a deployment
 * that works with the old schema may stop working with the new one (`breaking`) or not (`safe`).
 * Leaf rules see one key in both versions (either may be missing); service rules see the whole.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LeafSetting, ServiceModel } from '../model.ts';
import { MASK } from '../runtime/problems.ts';
import { validationSchemaOf } from '../validation-schema.ts';
import { CONSTRAINT_KEYWORDS, constraintChanges } from './constraints.ts';
import { acceptedTypesText, typesAdded, typesRemoved } from './accepted-types.ts';

export type Kind = 'breaking' | 'safe';

/** One key in both versions, with what the rules need to know about its place in each model. */
export interface LeafChange {
  old?: LeafSetting;
  new?: LeafSetting;
  /** Required by its group (`required`) and without a default: a deployment must set it. */
  oldMandatory: boolean;
  newMandatory: boolean;
  /** The env name and Consul key the old leaf would have under the new prefixes (a prefix change is reported once). */
  renamedEnv?: string;
  renamedConsulKey?: string;
}

/** A detail to print (`a → b`), true when there is nothing to add, or false: the rule does not apply. */
type Verdict = string | boolean;

export interface LeafRule {
  name: string;
  kind: Kind;
  hint?: string;
  test(change: Required<Pick<LeafChange, 'old' | 'new'>> & LeafChange): Verdict;
}

export interface PresenceRule {
  name: string;
  kind: Kind;
  hint?: string;
  test(change: LeafChange): Verdict;
}

export interface ServiceRule {
  name: string;
  kind: Kind;
  hint?: string;
  test(old: ServiceModel, updated: ServiceModel): Verdict;
}

const shown = (leaf: LeafSetting, value: unknown): string => (leaf.secret ? MASK : JSON.stringify(value));

/** Rules on a key present in one version only. */
export const PRESENCE_RULES: PresenceRule[] = [
  {
    name: 'a key was removed',
    kind: 'breaking',
    hint: 'keep it, deprecated, for a release: files that still set it get an unknown-key warning (an error under strict), and its env var and Consul key are ignored',
    test: (c) => !!c.old && !c.new && `was ${acceptedTypesText(c.old)}`,
  },
  {
    name: 'a new key is required and has no default',
    kind: 'breaking',
    hint: 'give it a default, or leave it out of required',
    test: (c) => !c.old && !!c.new && c.newMandatory,
  },
  {
    name: 'a key was added',
    kind: 'safe',
    test: (c) =>
      !c.old &&
      !!c.new &&
      !c.newMandatory &&
      (c.new.default === undefined ? 'optional' : `default ${shown(c.new, c.new.default)}`),
  },
];

/** Rules on a key present in both versions. */
export const LEAF_RULES: LeafRule[] = [
  {
    name: 'a key became required and has no default',
    kind: 'breaking',
    hint: 'keep a default, or leave it out of required',
    test: (c) => c.newMandatory && !c.oldMandatory,
  },
  {
    name: 'a type was narrowed',
    kind: 'breaking',
    hint: 'values of the removed types that deployments set now fail validation',
    test: (c) => typesRemoved(c.old, c.new).length > 0 && `${acceptedTypesText(c.old)} → ${acceptedTypesText(c.new)}`,
  },
  {
    name: 'a constraint was added or tightened',
    kind: 'breaking',
    hint: 'values that passed before may now fail validation',
    test: (c) =>
      constraintChanges(c.old.schema, c.new.schema, c.old.secret || c.new.secret).tightened.join('; ') || false,
  },
  {
    name: 'a validation keyword changed that compat cannot classify',
    kind: 'breaking',
    hint: 'check by hand whether every value the old schema accepted still passes',
    test: (c) => !isDeepStrictEqual(unclassified(c.old), unclassified(c.new)),
  },
  {
    name: 'the default changed',
    kind: 'breaking',
    hint: 'deployments that rely on the old default change behaviour: announce it, or set the old value where it matters',
    test: (c) =>
      c.old.default !== undefined &&
      c.new.default !== undefined &&
      !isDeepStrictEqual(c.old.default, c.new.default) &&
      `${shown(c.old, c.old.default)} → ${shown(c.new, c.new.default)}`,
  },
  {
    name: 'the default was removed',
    kind: 'breaking',
    hint: 'the key is now absent unless set: the service must cope with that',
    test: (c) =>
      c.old.default !== undefined &&
      c.new.default === undefined &&
      !c.newMandatory &&
      `was ${shown(c.old, c.old.default)}`,
  },
  {
    name: 'a key became immutable',
    kind: 'breaking',
    hint: 'a live change to it (Consul) now means a restart instead of being applied',
    test: (c) => c.old.mutable && !c.new.mutable,
  },
  {
    name: 'the environment variable name changed',
    kind: 'breaking',
    hint: 'env files, compose files and envconsul set the old name: rename it there too',
    test: (c) =>
      c.old.envName !== c.new.envName && c.renamedEnv !== c.new.envName && `${c.old.envName} → ${c.new.envName}`,
  },
  {
    name: 'the Consul key changed',
    kind: 'breaking',
    hint: 'values stored under the old key are no longer read: move them',
    test: (c) =>
      c.old.consulKey !== c.new.consulKey &&
      c.renamedConsulKey !== c.new.consulKey &&
      `${c.old.consulKey} → ${c.new.consulKey}`,
  },
  {
    name: 'a secret key is no longer secret',
    kind: 'breaking',
    hint: 'its value would show in logs, docs and the Kubernetes ConfigMap',
    test: (c) => c.old.secret && !c.new.secret,
  },
  {
    name: 'a type was widened',
    kind: 'safe',
    test: (c) => typesAdded(c.old, c.new).length > 0 && `${acceptedTypesText(c.old)} → ${acceptedTypesText(c.new)}`,
  },
  {
    name: 'a constraint was removed or relaxed',
    kind: 'safe',
    test: (c) =>
      constraintChanges(c.old.schema, c.new.schema, c.old.secret || c.new.secret).relaxed.join('; ') || false,
  },
  {
    name: 'a default was added',
    kind: 'safe',
    test: (c) => c.old.default === undefined && c.new.default !== undefined && shown(c.new, c.new.default),
  },
  { name: 'a key became mutable', kind: 'safe', test: (c) => !c.old.mutable && c.new.mutable },
  { name: 'a key became secret', kind: 'safe', test: (c) => !c.old.secret && c.new.secret },
  { name: 'a key was deprecated', kind: 'safe', test: (c) => !c.old.deprecated && c.new.deprecated },
];

export const SERVICE_RULES: ServiceRule[] = [
  {
    name: 'the service name changed',
    kind: 'breaking',
    hint: 'its env prefix, Consul prefix and files follow the name',
    test: (o, n) => o.name !== n.name && `${o.name} → ${n.name}`,
  },
  {
    name: 'the environment prefix changed',
    kind: 'breaking',
    hint: 'every environment variable of the service is renamed',
    test: (o, n) => o.envPrefix !== n.envPrefix && `${o.envPrefix}_* → ${n.envPrefix}_*`,
  },
  {
    name: 'the Consul prefix changed',
    kind: 'breaking',
    hint: 'values stored under the old prefix are no longer read: move them',
    test: (o, n) => o.consulPrefix !== n.consulPrefix && `${o.consulPrefix}/ → ${n.consulPrefix}/`,
  },
  {
    name: 'the config file path changed',
    kind: 'breaking',
    test: (o, n) => o.configFile !== n.configFile && `${o.configFile} → ${n.configFile}`,
  },
  {
    name: 'the conf.d directory changed',
    kind: 'breaking',
    test: (o, n) => o.configDir !== n.configDir && `${o.configDir} → ${n.configDir}`,
  },
];

/** What the type and constraint rules do not look at, so that any other change is still seen. */
function unclassified(leaf: LeafSetting): unknown {
  const { type: _type, items, ...rest } = validationSchemaOf(leaf.schema);
  for (const keyword of CONSTRAINT_KEYWORDS) delete rest[keyword];
  // The item types of a list of scalars are compared as types; anything else about items is not.
  if (leaf.itemTypes && items && typeof items === 'object') {
    const { type: _itemType, ...otherItems } = items as Record<string, unknown>;
    return { ...rest, items: otherItems };
  }
  return { ...rest, items };
}
