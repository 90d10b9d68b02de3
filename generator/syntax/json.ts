/**
 * JSON as people lay it out, and as prettier writes it: two-space indentation, objects one key a line, arrays on one
 * line when they fit the width (numbers filling lines when they do not), so that a list default reads as one line
 * rather than one item a line. test/docs/syntax.test.ts holds it to prettier's layout on random values.
 */
import { isObject } from '../runtime/tree.ts';

/**
 * `value` (JSON data) as text whose lines fit `width` columns where arrays allow; `indent`: its nesting, in spaces;
 * `column`: where it starts; `trailing`: how many characters follow it on its line (the `,` after an item).
 */
export function jsonText(value: unknown, width = 120, indent = 0, column = indent, trailing = 0): string {
  if (Array.isArray(value)) return arrayText(value, width, indent, column, trailing);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const pad = ' '.repeat(indent + 2);
    const lines = entries.map(([key, item], n) => {
      const head = `${pad}${JSON.stringify(key)}: `;
      return head + jsonText(item, width, indent + 2, head.length, n < entries.length - 1 ? 1 : 0);
    });
    return `{\n${lines.join(',\n')}\n${' '.repeat(indent)}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function arrayText(value: unknown[], width: number, indent: number, column: number, trailing: number): string {
  if (value.length === 0) return '[]';
  const oneLine = flatText(value);
  if (oneLine !== undefined && column + oneLine.length + trailing <= width) return oneLine;
  const pad = indent + 2;
  const last = value.length - 1;
  if (value.length > 1 && value.every((item) => typeof item === 'number')) {
    // Numbers fill their lines (prettier's concise arrays): an item joins the line when it and the next one fit.
    const items = value.map((item, n) => JSON.stringify(item) + (n < last ? ',' : ''));
    let text = ' '.repeat(pad) + items[0];
    let start = pad;
    for (let n = 1; n <= last; n++) {
      const previous = items[n - 1]!;
      if (start + previous.length + 1 + items[n]!.length <= width) {
        text += ` ${items[n]}`;
        start += previous.length + 1;
      } else {
        text += `\n${' '.repeat(pad)}${items[n]}`;
        start = pad;
      }
    }
    return `[\n${text}\n${' '.repeat(indent)}]`;
  }
  const lines = value.map((item, n) => ' '.repeat(pad) + jsonText(item, width, pad, pad, n < last ? 1 : 0));
  return `[\n${lines.join(',\n')}\n${' '.repeat(indent)}]`;
}

/**
 * The one-line form of a value, or undefined when it has none: an object with keys is always one key a line, and so
 * is an array of two or more arrays (or objects) of two or more items each, as prettier keeps a matrix.
 */
function flatText(value: unknown): string | undefined {
  if (!Array.isArray(value)) {
    if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0 ? '{}' : undefined;
    return JSON.stringify(value) ?? 'null';
  }
  const matrix =
    value.length > 1 &&
    (value.every((item) => Array.isArray(item) && item.length > 1) ||
      value.every((item) => isObject(item) && Object.keys(item).length > 1));
  if (matrix) return undefined;
  const items = value.map(flatText);
  return items.every((item) => item !== undefined) ? `[${items.join(', ')}]` : undefined;
}
