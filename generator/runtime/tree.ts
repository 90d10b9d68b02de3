/**
 * The merged configuration tree and where each value came from. Merging follows Wazo's ChainMap
 * (SEMANTICS.md §1): objects are deep-merged; arrays, scalars and null replace what was there.
 */
import { FORBIDDEN_KEY_HINT, isForbiddenKey } from './limits.ts';
import type { Problem } from './problems.ts';
import type { JsonObject, JsonValue, ValueSpec } from './types.ts';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One path segment as a JSON Pointer reference token (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function pointerOf(path: readonly string[]): string {
  return path.map((s) => '/' + escapePointer(s)).join('');
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
  // Scalars are immutable: only objects and arrays need a copy (structuredClone costs ~1 µs even for a number).
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

/** The sources recorded at one path, and below it: a trie over path segments. */
interface SourceNode {
  source?: string;
  children?: Map<string, SourceNode>;
}

/** A tree plus the source of every value in it, kept at the deepest path each source set. */
export class ConfigTree {
  readonly root: JsonObject = {};
  /**
   * Sources by path, as a trie: replacing an object forgets the sources below it by dropping one
   * branch, where a flat map keyed by pointer had to scan every key (O(n) per replaced object or list).
   */
  private readonly sources: SourceNode = {};
  /**
   * Values that could not be placed: a child set (by env, Consul, a file…) under a group that a
   * source emptied (`rest_api:` with nothing under it is null) or gave another type, and keys that
   * would reach a prototype. The loader reports each; the group keeps its value, so the
   * validator's `expected object, got null` stays, whatever other sources set.
   */
  readonly refused: Problem[] = [];

  /** `isGroup`: whether a path is a group of the schema (an object with fixed properties), not an open map. */
  constructor(private readonly isGroup: (path: readonly string[]) => boolean = () => false) {}

  /** Deep-merges `patch` over the tree (objects merged, everything else replaced). */
  merge(patch: JsonObject, source: string, at: readonly string[] = []): void {
    const node = getAt(this.root, at);
    if (!isObject(node)) {
      for (const key of Object.keys(patch)) this.set([...at, key], patch[key]!, source);
      return;
    }
    let sources = this.sources;
    for (const segment of at) sources = childOf(sources, segment);
    this.mergeInto(node, sources, patch, source, at);
  }

  /**
   * Walks the tree and its sources alongside the patch: one step per key, where a walk from the root
   * per value made a file of 100,000 keys pay for every path (and a [key, value] pair per entry).
   */
  private mergeInto(node: JsonObject, sources: SourceNode, patch: JsonObject, source: string, at: readonly string[]) {
    for (const key of Object.keys(patch)) {
      const value = patch[key]!;
      if (isForbiddenKey(key)) {
        this.set([...at, key], value, source); // refused there, with its message
        continue;
      }
      const current = Object.hasOwn(node, key) ? node[key] : undefined;
      if (isObject(value) && isObject(current)) {
        this.mergeInto(current, childOf(sources, key), value, source, [...at, key]);
      } else if (isObject(value) && current !== undefined && this.isGroup([...at, key])) {
        const path = [...at, key];
        if (this.sourceOf(path) !== 'default') this.refuse(path, source, path, current);
        else this.replace(node, sources, key, value, current, source);
      } else {
        this.replace(node, sources, key, value, current, source);
      }
    }
  }

  /** Puts `value` whole at `key` of `node` (a copy), set by `source`: the last step of `set` and of `merge`. */
  private replace(
    node: JsonObject,
    sources: SourceNode,
    key: string,
    value: JsonValue,
    previous: JsonValue | undefined,
    source: string,
  ) {
    node[key] = clone(value);
    const child = childOf(sources, key);
    // Only a replaced object or array can have had sources recorded below it.
    if (typeof previous === 'object' && previous !== null) delete child.children;
    child.source = source;
  }

  /** Replaces the value at `path` whole, creating parent objects as needed. */
  set(path: readonly string[], value: JsonValue, source: string): void {
    const forbidden = path.find(isForbiddenKey);
    if (forbidden !== undefined) {
      this.refused.push({
        key: dotted(path),
        source,
        message: `the key ${forbidden} is refused`,
        hint: FORBIDDEN_KEY_HINT,
      });
      return;
    }
    const previous = getAt(this.root, path);
    let node = this.root;
    let sources = this.sources;
    for (let n = 0; n < path.length - 1; n++) {
      const segment = path[n]!;
      const next = node[segment];
      if (next === undefined || (isObject(next) && Object.hasOwn(node, segment))) {
        if (next === undefined) node[segment] = {};
      } else {
        this.refuse(path, source, path.slice(0, n + 1), next);
        return;
      }
      node = node[segment] as JsonObject;
      sources = childOf(sources, segment);
    }
    this.replace(node, sources, path[path.length - 1]!, value, previous, source);
  }

  /** A value under a group that a source emptied or gave another type: the group keeps its value (and its error). */
  private refuse(path: readonly string[], source: string, group: readonly string[], existing: JsonValue): void {
    const what =
      existing === null ? 'empty (null)' : `not a group (${Array.isArray(existing) ? 'a list' : typeof existing})`;
    this.refused.push({
      key: dotted(path),
      source,
      message: `cannot be set: ${dotted(group)} is ${what} in ${this.sourceOf(group)}`,
      hint: `give ${dotted(group)} its settings there, or remove its empty "${group[group.length - 1]}:" line to keep the defaults`,
    });
  }

  delete(path: readonly string[]): void {
    const parent = getAt(this.root, path.slice(0, -1));
    if (isObject(parent)) delete parent[path[path.length - 1]!];
  }

  /** The source that set the value at `path` (or the nearest ancestor that did). */
  sourceOf(path: readonly string[]): string {
    let node: SourceNode | undefined = this.sources;
    let found = node.source;
    for (const segment of path) {
      node = node.children?.get(segment);
      if (!node) break;
      if (node.source) found = node.source;
    }
    return found || 'default';
  }

  /**
   * Every source that set a value at or below `path`, each once: a map merged from the defaults,
   * a file and Consul has no one source (`sourceOf` names only the one that set the map itself).
   */
  sourcesWithin(path: readonly string[]): string[] {
    const value = getAt(this.root, path);
    const keys = isObject(value) ? Object.keys(value) : [];
    if (keys.length === 0) return [this.sourceOf(path)];
    return [...new Set(keys.flatMap((key) => this.sourcesWithin([...path, key])))];
  }
}

/** One row of a "where does each value come from" report (`explain`, the conformance corpus). */
export interface SourceRow {
  path: readonly string[];
  /** The sources of the value, joined by ` + ` when an object was merged from several. */
  source: string;
}

/**
 * Where a setting's value came from: one row per entry of a map (each entry has its own source:
 * the defaults gave some, a file or Consul others), else one row for the setting itself.
 */
export function sourceRows(tree: ConfigTree, setting: ValueSpec & { path: readonly string[] }): SourceRow[] {
  const value = getAt(tree.root, setting.path);
  const rowOf = (path: readonly string[]): SourceRow => ({ path, source: tree.sourcesWithin(path).join(' + ') });
  if (!setting.types.includes('map') || !isObject(value) || Object.keys(value).length === 0)
    return [rowOf(setting.path)];
  return Object.keys(value).map((key) => rowOf([...setting.path, key]));
}

function childOf(node: SourceNode, segment: string): SourceNode {
  node.children ??= new Map();
  let child = node.children.get(segment);
  if (!child) node.children.set(segment, (child = {}));
  return child;
}
