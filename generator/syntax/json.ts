/**
 * JSON as people lay it out: two-space indentation, objects one key a line, and arrays of scalars on one line when
 * they fit the width (as prettier writes JSON), so that a list default reads as one line rather than one item a line.
 */

/** `value` (JSON data) as text whose lines fit `width` columns where arrays allow; `indent`: its nesting, in spaces. */
export function jsonText(value: unknown, width = 120, indent = 0, column = indent): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => jsonText(item, width, indent + 2));
    const oneLine = `[${items.join(', ')}]`;
    // A `,` may follow the array in its parent: counted, so that no line passes the width.
    if (value.every(isScalar) && column + oneLine.length + 1 <= width) return oneLine;
    const pad = ' '.repeat(indent + 2);
    return `[\n${items.map((item) => pad + item).join(',\n')}\n${' '.repeat(indent)}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const pad = ' '.repeat(indent + 2);
    const lines = entries.map(([key, item]) => {
      const head = `${pad}${JSON.stringify(key)}: `;
      return head + jsonText(item, width, indent + 2, head.length);
    });
    return `{\n${lines.join(',\n')}\n${' '.repeat(indent)}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isScalar(value: unknown): boolean {
  return (
    value === null ||
    typeof value !== 'object' ||
    (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0)
  );
}
