/**
 * The merged configuration tree and where each value came from. Merging follows Wazo's ChainMap
 * (SEMANTICS.md §1): objects are deep-merged; arrays, scalars and null replace what was there.
 */
import type { JsonObject, JsonValue } from './types.ts';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function pointerOf(path: readonly string[]): string {
  return path.map((s) => '/' + s.replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

export function pathOfPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Dotted display form of a path: `rest_api.https.port`. */
export function dotted(path: readonly string[]): string {
  return path.join('.') || '(root)';
}

export function getAt(tree: JsonValue, path: readonly string[]): JsonValue | undefined {
  let node: JsonValue | undefined = tree;
  for (const segment of path) {
    if (isObject(node) && Object.hasOwn(node, segment)) node = node[segment];
    else if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    else return undefined;
  }
  return node;
}

export function clone<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

/** A tree plus the source of every value in it, kept at the deepest path each source set. */
export class ConfigTree {
  readonly root: JsonObject = {};
  private readonly sources = new Map<string, string>();

  /** Deep-merges `patch` over the tree (objects merged, everything else replaced). */
  merge(patch: JsonObject, source: string, at: readonly string[] = []): void {
    for (const [key, value] of Object.entries(patch)) {
      const path = [...at, key];
      const current = getAt(this.root, path);
      if (isObject(value) && isObject(current)) this.merge(value, source, path);
      else this.set(path, value, source);
    }
  }

  /** Replaces the value at `path` whole, creating parent objects as needed. */
  set(path: readonly string[], value: JsonValue, source: string): void {
    const previous = getAt(this.root, path);
    let node = this.root;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (!isObject(next)) node[segment] = {};
      node = node[segment] as JsonObject;
    }
    node[path[path.length - 1]!] = clone(value);
    const pointer = pointerOf(path);
    if (typeof previous === 'object' && previous !== null) {
      // Only a replaced object or array can have had sources recorded below it.
      for (const known of [...this.sources.keys()]) {
        if (known.startsWith(pointer + '/')) this.sources.delete(known);
      }
    }
    this.sources.set(pointer, source);
  }

  delete(path: readonly string[]): void {
    const parent = getAt(this.root, path.slice(0, -1));
    if (isObject(parent)) delete parent[path[path.length - 1]!];
  }

  /** The source that set the value at `path` (or the nearest ancestor that did). */
  sourceOf(path: readonly string[]): string {
    for (let n = path.length; n >= 0; n--) {
      const source = this.sources.get(pointerOf(path.slice(0, n)));
      if (source) return source;
    }
    return 'default';
  }
}
