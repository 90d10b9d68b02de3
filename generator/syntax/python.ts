/**
 * Quoting for Python output: values are written from their JSON form (JSON strings are valid
 * Python string literals), never by pasting text into code.
 */
export function pyLiteral(value: unknown, tuples = false): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value > 0 ? 'float("inf")' : value < 0 ? 'float("-inf")' : 'float("nan")';
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => pyLiteral(v, tuples));
    if (!tuples) return `[${items.join(', ')}]`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pyLiteral(v, tuples)}`)
      .join(', ')}}`;
  }
  throw new Error(`cannot write ${String(value)} as a Python literal`);
}

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type'.split(
    ' ',
  ),
);

/** A name usable as a class attribute (a TypedDict key in class syntax). */
export function isPyIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name);
}

/** Text inside a `"""…"""` docstring: no early close, no stray escapes. */
export function pyDocText(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('"""', '\\"\\"\\"');
}

/**
 * A JavaScript regular expression (ajv compiles `pattern` with the `u` flag) as a Python `re`
 * pattern with the same meaning: `\d` and `\w` stay ASCII, `$` matches only at the very end,
 * named groups and `\u{…}` escapes are rewritten. Throws on what Python cannot express.
 */
export function pyRegex(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      i++;
      if (next === 'd') out += inClass ? '0-9' : '[0-9]';
      else if (next === 'D') out += inClass ? '\\D' : '[^0-9]';
      else if (next === 'w') out += inClass ? 'A-Za-z0-9_' : '[A-Za-z0-9_]';
      else if (next === 'W') out += inClass ? '\\W' : '[^A-Za-z0-9_]';
      else if (next === 'u' && source[i + 1] === '{') {
        const end = source.indexOf('}', i);
        out += `\\U${source.slice(i + 2, end).padStart(8, '0')}`;
        i = end;
      } else if (next === 'k' && source[i + 1] === '<') {
        const end = source.indexOf('>', i);
        out += `(?P=${source.slice(i + 2, end)})`;
        i = end;
      } else if (next === 'p' || next === 'P')
        throw new Error(`the pattern ${source} uses Unicode property escapes, which Python's re does not have`);
      else if (next === '/') out += '/';
      else out += c + next;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (source[i + 1] === '^') out += source[++i];
      if (source[i + 1] === ']') {
        // `[]` matches nothing and `[^]` anything in JavaScript.
        i++;
        out = out.endsWith('[^') ? out.slice(0, -2) + '[\\s\\S]' : out.slice(0, -1) + '(?!)';
        inClass = false;
      }
      continue;
    }
    if (c === '$') out += '\\Z';
    else if (c === '(' && source.startsWith('(?<', i) && source[i + 3] !== '=' && source[i + 3] !== '!') {
      out += '(?P<';
      i += 2;
    } else out += c;
  }
  return out;
}
