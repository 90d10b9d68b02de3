/**
 * `compat`: two versions of a service's schema → the changes a deployment would notice, each
 * breaking or safe, by the rules of rules.ts. Both files go through the generator's own load
 * ($ref resolved relative to each file) and checks, so any two files can be compared (e.g. one
 * taken from `git show origin/main:schemas/x.schema.json`).
 */
import { checkSchema } from '../check.ts';
import { loadSchema } from '../load.ts';
import { buildModel, type LeafSetting, type ServiceModel } from '../model.ts';
import { checkModel } from '../rules.ts';
import { GenerateError } from '../schema-problems.ts';
import { dotted, pointerOf } from '../runtime/tree.ts';
import { LEAF_RULES, PRESENCE_RULES, SERVICE_RULES, type Kind, type LeafChange } from './rules.ts';

export interface Finding {
  /** The dotted key, or `(service)` for a change of the whole service. */
  key: string;
  /** The rule's name: what changed. */
  rule: string;
  kind: Kind;
  detail?: string;
  hint?: string;
}

export interface CompatReport {
  service: string;
  breaking: Finding[];
  safe: Finding[];
}

/** A schema file as a model; the service is named by its `x-service`, whatever the file is called. */
export async function modelOf(path: string, root: string): Promise<ServiceModel> {
  const loaded = await loadSchema(path, root);
  if (!('schema' in loaded)) throw new GenerateError([loaded]);
  const name = (loaded.schema['x-service'] as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string') loaded.service = name;
  const problems = checkSchema(loaded);
  if (problems.length > 0) throw new GenerateError(problems);
  // The model rules too, so that compat accepts exactly the schemas generate accepts.
  const model = buildModel(loaded);
  const modelProblems = checkModel(model);
  if (modelProblems.length > 0) throw new GenerateError(modelProblems);
  return model;
}

export function compare(old: ServiceModel, updated: ServiceModel): CompatReport {
  const findings: Finding[] = [];
  const add = (key: string, rule: { name: string; kind: Kind; hint?: string }, verdict: string | boolean) => {
    if (verdict === false || verdict === '') return;
    const finding: Finding = { key, rule: rule.name, kind: rule.kind };
    if (typeof verdict === 'string') finding.detail = verdict;
    if (rule.kind === 'breaking' && rule.hint) finding.hint = rule.hint;
    findings.push(finding);
  };
  for (const rule of SERVICE_RULES) add('(service)', rule, rule.test(old, updated));

  const oldLeaves = byPointer(old);
  const newLeaves = byPointer(updated);
  const oldMandatory = mandatory(old);
  const newMandatory = mandatory(updated);
  for (const pointer of new Set([...oldLeaves.keys(), ...newLeaves.keys()])) {
    const change: LeafChange = {
      old: oldLeaves.get(pointer),
      new: newLeaves.get(pointer),
      oldMandatory: oldMandatory.has(pointer),
      newMandatory: newMandatory.has(pointer),
    };
    const key = dotted((change.new ?? change.old)!.path);
    if (!change.old || !change.new) {
      for (const rule of PRESENCE_RULES) add(key, rule, rule.test(change));
      continue;
    }
    change.renamedEnv = renamed(change.old.envName, `${old.envPrefix}_`, `${updated.envPrefix}_`);
    change.renamedConsulKey = renamed(change.old.consulKey, `${old.consulPrefix}/`, `${updated.consulPrefix}/`);
    const both = { ...change, old: change.old, new: change.new };
    for (const rule of LEAF_RULES) add(key, rule, rule.test(both));
  }
  return {
    service: updated.name,
    breaking: findings.filter((f) => f.kind === 'breaking'),
    safe: findings.filter((f) => f.kind === 'safe'),
  };
}

function byPointer(model: ServiceModel): Map<string, LeafSetting> {
  return new Map(model.leaves.map((leaf) => [pointerOf(leaf.path), leaf]));
}

/** Leaves their group lists in `required` and that have no default: every deployment must set them. */
function mandatory(model: ServiceModel): Set<string> {
  return new Set(model.leaves.filter((leaf) => leaf.required).map((leaf) => pointerOf(leaf.path)));
}

/** The name under the new prefix, when only the prefix changed (reported once, by the service rule). */
function renamed(name: string, oldPrefix: string, newPrefix: string): string | undefined {
  return oldPrefix !== newPrefix && name.startsWith(oldPrefix) ? newPrefix + name.slice(oldPrefix.length) : undefined;
}
