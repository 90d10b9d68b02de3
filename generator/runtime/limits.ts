/**
 * Bounds on what one source may hand the loader, so that a hostile or broken file, env var or
 * Consul value gives a clear error instead of a crash (stack overflow, `structuredClone`'s
 * RangeError), a hang or an out-of-memory abort. Real configurations stay far below them: Wazo's
 * files nest at most 5 levels and hold a few hundred values.
 */

/** Deepest nesting of lists and maps in one value or file (the root counts as level 1). */
export const MAX_DEPTH = 64;

/** Most values (scalars, lists, maps) in one file or one value once YAML aliases are expanded. */
export const MAX_VALUES = 1_000_000;

/** Largest config file read, in bytes; `LoadOptions.maxFileBytes` changes it. */
export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Keys that would reach an object's prototype when assigned: refused wherever they come from. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

export const FORBIDDEN_KEY_HINT =
  'no setting has this name; it would reach the prototype of JavaScript objects (remove it)';

/**
 * The nesting depth of a JSON text, counted before parsing it: brackets outside strings. Stops
 * counting at `limit + 1`, so the cost is one pass over the text whatever it holds.
 */
export function jsonDepth(text: string, limit = MAX_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

export type TreeFault =
  | { kind: 'depth'; path: string[] }
  | { kind: 'size' }
  | { kind: 'key'; path: string[]; key: string }
  | { kind: 'number'; path: string[]; value: number };

/**
 * The first thing in a parsed value that the loader must not take: nesting beyond MAX_DEPTH, more
 * than MAX_VALUES values (aliases expanded), a forbidden key, a number JSON cannot carry
 * (Infinity, NaN). One bounded walk: it stops at the first fault.
 */
export function treeFault(value: unknown, maxDepth = MAX_DEPTH): TreeFault | undefined {
  let count = 0;
  const path: string[] = [];
  const walk = (node: unknown, depth: number): TreeFault | undefined => {
    if (++count > MAX_VALUES) return { kind: 'size' };
    if (typeof node === 'number')
      return Number.isFinite(node) ? undefined : { kind: 'number', path: [...path], value: node };
    if (typeof node !== 'object' || node === null) return undefined;
    if (depth > maxDepth) return { kind: 'depth', path: [...path] };
    const entries: [string, unknown][] = Array.isArray(node)
      ? node.map((v, i) => [String(i), v])
      : Object.entries(node);
    for (const [key, child] of entries) {
      if (!Array.isArray(node) && isForbiddenKey(key)) return { kind: 'key', path: [...path], key };
      path.push(key);
      const fault = walk(child, depth + 1);
      path.pop();
      if (fault) return fault;
    }
    return undefined;
  };
  return walk(value, 1);
}
