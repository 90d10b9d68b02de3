/**
 * A leaf's default as the deployment artifacts write it — the value text of docs/design.md
 * "Value text" — and what happens when an artifact cannot carry it.
 */
import type { LeafSetting, ServiceModel } from '../model.ts';
import { encode } from '../runtime/codec.ts';

/** The value text of a leaf's default, if it has one. */
export function defaultText(leaf: LeafSetting): string | undefined {
  return leaf.default === undefined ? undefined : encode(leaf.default, leaf);
}

/**
 * A default an artifact cannot carry: the artifact leaves the setting out (so the loader applies the
 * same default) and generation goes on, with this warning naming the setting.
 */
export function warnLeftOut(model: ServiceModel, leaf: LeafSetting, artifact: string, reason: string): void {
  console.warn(
    `warning: generated/${model.name}/${artifact}: ${leaf.envName} (${model.file}#${leaf.pointer}): the default ${reason}; left out, the loader applies it`,
  );
}
