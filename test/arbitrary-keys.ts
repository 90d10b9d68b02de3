/**
 * Arbitraries limited to what the loader takes: no key that reaches a prototype (refused by design, see
 * test/adversarial/).
 */
import fc from 'fast-check';
import { isForbiddenKey, treeFault } from '../generator/runtime/limits.ts';

/** A map key the loader keeps: any text from the whole of Unicode but `__proto__`, `constructor` and `prototype`. */
export const settingKey = fc.string({ unit: 'binary' }).filter((key) => !isForbiddenKey(key));

/** Whether a generated JSON value is one the loader takes whole (no forbidden key at any depth). */
export function takenValue(value: unknown): boolean {
  return treeFault(value) === undefined;
}
