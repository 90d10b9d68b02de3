/** The JSON types a leaf accepts, as atoms (`integer`, `array<string>`), to tell narrowed from widened. */
import type { LeafSetting } from '../model.ts';

type Typed = Pick<LeafSetting, 'types' | 'itemTypes'>;

/** `array<string>` for a list of strings; `array` accepts any items; `any` when the leaf has no type. */
function atoms(leaf: Typed): string[] {
  if (leaf.types.length === 0) return ['any'];
  return leaf.types.flatMap((t) =>
    t === 'array' && leaf.itemTypes ? leaf.itemTypes.map((i) => `array<${i}>`) : [t === 'map' ? 'object' : t],
  );
}

function accepts(leaf: Typed, atom: string): boolean {
  const have = atoms(leaf);
  if (have.includes('any') || have.includes(atom)) return true;
  if (atom === 'integer') return have.includes('number');
  if (atom === 'array<integer>') return have.includes('array<number>') || have.includes('array');
  return atom.startsWith('array<') && have.includes('array');
}

/** What the old leaf accepted that the new one does not. */
export function typesRemoved(old: Typed, updated: Typed): string[] {
  return atoms(old).filter((atom) => !accepts(updated, atom));
}

export function typesAdded(old: Typed, updated: Typed): string[] {
  return atoms(updated).filter((atom) => !accepts(old, atom));
}

export function acceptedTypesText(leaf: Typed): string {
  return atoms(leaf).join(' | ');
}
