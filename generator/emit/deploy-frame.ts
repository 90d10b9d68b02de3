/**
 * Text frames of the deployment artifacts: `templates/deploy/<name>` (the project's own, else the
 * one shipped with wazo-config), with `@{slot}` placeholders (not `{{ }}`: the `.ctmpl` frames are
 * Go templates) that the emitters fill in one pass with text already quoted by a generator/syntax
 * helper. A slot the frame does not have, or a placeholder no slot fills, is an error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LeafSetting, ServiceModel } from '../model.ts';
import { GenerateError } from '../problems.ts';
import { encode } from '../runtime/codec.ts';

const SLOT = /@\{([a-zA-Z]+)\}/g;

function shippedFrames(): string {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'templates', 'deploy'))) return join(dir, 'templates', 'deploy');
  }
  throw new Error(`wazo-config: no templates/deploy directory above ${import.meta.dirname}`);
}

export function fillFrame(root: string, name: string, slots: Record<string, string>): string {
  const own = join(root, 'templates', 'deploy', name);
  const frame = readFileSync(existsSync(own) ? own : join(shippedFrames(), name), 'utf8');
  const used = new Set<string>();
  const text = frame.replace(SLOT, (_, slot: string) => {
    const value = slots[slot];
    if (value === undefined) throw new Error(`templates/deploy/${name}: no value for @{${slot}}`);
    used.add(slot);
    return value;
  });
  const unused = Object.keys(slots).filter((slot) => !used.has(slot));
  if (unused.length > 0) throw new Error(`templates/deploy/${name}: no @{${unused.join('}, @{')}} placeholder`);
  return text;
}

/** The value text of a leaf's default (DESIGN.md "Value text"), if it has one. */
export function defaultText(leaf: LeafSetting): string | undefined {
  return leaf.default === undefined ? undefined : encode(leaf.default, leaf);
}

/** Consul keys consul-template cannot address: `key "a@b"` reads key `a` in datacenter `b`. */
export function checkTemplateKeys(model: ServiceModel): void {
  const problems = model.leaves
    .filter((leaf) => leaf.consulKey.includes('@'))
    .map((leaf) => ({
      file: model.file,
      pointer: leaf.pointer,
      message: `Consul key ${leaf.consulKey} contains @, which consul-template reads as a datacenter`,
      hint: 'rename the property, or give x-service a consulPrefix without @',
    }));
  if (problems.length > 0) throw new GenerateError(problems);
}

/**
 * A default an artifact cannot carry: the artifact leaves the setting out (so the loader applies the
 * same default) and generation goes on, with this warning naming the setting.
 */
export function warnLeftOut(model: ServiceModel, leaf: LeafSetting, artifact: string, reason: string): void {
  console.warn(`warning: generated/${model.name}/${artifact}: ${leaf.envName} (${model.file}#${leaf.pointer}): the default ${reason}; left out, the loader applies it`);
}
