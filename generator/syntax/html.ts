/** Quoting for HTML output: text and attribute values, and JSON data embedded in a `<script>`. */
import { jsonText } from './json.ts';
import { quoted, type Quoted } from './quoted.ts';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text content or a quoted attribute value. */
export function htmlText(text: string): Quoted<'html'> {
  return quoted(text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!));
}

/**
 * JSON for `<script type="application/json">`, laid out as syntax/json.ts does and indented `indent` spaces: `<`, `>`
 * and `&` written as `\u003c`… so that no `</script>` or `<!--` can appear inside, and U+2028/U+2029 escaped for older
 * JS parsers. The result is still JSON, and `JSON.parse` of the element's text gives `value` back.
 */
export function htmlJson(value: unknown, indent = 0): Quoted<'html'> {
  if (JSON.stringify(value) === undefined) throw new Error(`cannot embed ${String(value)} as JSON`);
  const text = indentLines(jsonText(value, PAGE_WIDTH - indent), indent);
  return quoted(text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * Inline `<style>`/`<script>` source from a template file, indented `indent` spaces: it may not close its element
 * early. (Our own code, so this only guards against a mistake.)
 */
export function htmlInlineSource(element: 'script' | 'style', source: string, indent = 0): Quoted<'html'> {
  if (new RegExp(`</${element}|<!--`, 'i').test(source))
    throw new Error(`inline ${element} source must not contain </${element} or <!--`);
  return quoted(indentLines(source.replace(/\n+$/, ''), indent));
}

/** The page's lines stop at this column where the layout decides (prose and long strings run on). */
const PAGE_WIDTH = 120;

/** Every non-empty line indented. */
function indentLines(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return text.replace(/^(?=.)/gm, pad);
}
