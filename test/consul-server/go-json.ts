/**
 * JSON the way Go's `encoding/json` writes it (what Consul sends):
 * compact, `<>&` and U+2028/U+2029 escaped, bigint written as a bare integer, lone surrogates
 * replaced by U+FFFD. `pretty` is `json.MarshalIndent(v, "", "    ")` plus the trailing newline
 * Consul adds for `?pretty`.
 */
export function goJson(value: unknown, pretty = false): string {
  const out = encode(value, pretty ? '    ' : '', '');
  return pretty ? `${out}\n` : out;
}

function encode(value: unknown, indent: string, prefix: string): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'string':
      return goQuoteJson(value);
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Buffer.isBuffer(value)) return goQuoteJson(value.toString('base64'));
  const inner = prefix + indent;
  const nl = indent === '' ? '' : '\n';
  const colon = indent === '' ? ':' : ': ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => inner + encode(v, indent, inner));
    return `[${nl}${items.join(`,${nl}`)}${nl}${prefix}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const items = entries.map(([k, v]) => `${inner}${goQuoteJson(k)}${colon}${encode(v, indent, inner)}`);
  return `{${nl}${items.join(`,${nl}`)}${nl}${prefix}}`;
}

function goQuoteJson(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else {
        out += '\ufffd';
      }
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\ufffd';
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x3c:
        out += '\\u003c';
        break;
      case 0x3e:
        out += '\\u003e';
        break;
      case 0x26:
        out += '\\u0026';
        break;
      case 0x2028:
        out += '\\u2028';
        break;
      case 0x2029:
        out += '\\u2029';
        break;
      default:
        out += c < 0x20 ? `\\u00${c.toString(16).padStart(2, '0')}` : s[i]!;
    }
  }
  return `${out}"`;
}

/** Go's `%q` for the strings that appear in Consul error texts (keys, session ids). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (!isGoPrintable(ch))
      out += cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's `unicode.IsPrint` for one character (ASCII space is the only printable space). */
export function isGoPrintable(ch: string): boolean {
  return PRINTABLE.test(ch);
}
