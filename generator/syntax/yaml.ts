/**
 * Quoting for YAML output (Kubernetes manifests): every scalar is a JSON string literal, which is a
 * YAML double-quoted scalar, written the way consul-template's `toJSON` (Go's `json.Marshal`)
 * writes it, plus the escapes Go leaves out and YAML needs.
 *
 * Go's encoder leaves U+007F–U+009F, U+FEFF, U+FFFE and U+FFFF raw. The YAML reader Kubernetes
 * uses (go-yaml) refuses U+007F–U+0084, U+0086–U+009F, U+FFFE and U+FFFF ("control characters are
 * not allowed"), and reads a raw U+0085 (NEL) inside a double-quoted scalar as a line break, folded
 * to a space: `YAML_EXTRA_ESCAPES` lists what the templates escape after `toJSON` so that every
 * value arrives byte for byte.
 */
import { quoted, type Quoted } from './quoted.ts';

export const YAML_EXTRA_ESCAPES: readonly string[] = [
  ...Array.from({ length: 0x9f - 0x7f + 1 }, (_, i) => String.fromCharCode(0x7f + i)),
  '\ufeff',
  '\ufffe',
  '\uffff',
];

const EXTRA = new Set(YAML_EXTRA_ESCAPES);

export function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Go's `json.Marshal` of a string (HTML-safe: `<`, `>`, `&` escaped), then YAML_EXTRA_ESCAPES. */
export function yamlString(value: string): Quoted<'yaml'> {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (
      code < 0x20 ||
      char === '<' ||
      char === '>' ||
      char === '&' ||
      char === '\u2028' ||
      char === '\u2029' ||
      EXTRA.has(char)
    ) {
      out += unicodeEscape(char);
    } else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else out += char;
  }
  return quoted(`${out}"`);
}

/** Kubernetes object names (DNS-1123 subdomain). */
export function isKubernetesName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

/** ConfigMap and Secret data keys. */
export function isKubernetesDataKey(key: string): boolean {
  return key.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(key) && key !== '.' && key !== '..';
}

/**
 * A scalar for people to read (the README's examples): single-quoted, where nothing is escaped, when the text has no
 * `'`, line break or control character; otherwise `yamlString`'s double quotes.
 */
export function yamlReadableString(value: string): Quoted<'yaml'> {
  const plain = !/['\p{Cc}\u2028\u2029\ufeff\ufffe\uffff]|\p{Cs}/u.test(value);
  return plain ? quoted(`'${value}'`) : yamlString(value);
}
