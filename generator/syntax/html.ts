/** Quoting for HTML output: text and attribute values, and JSON data embedded in a `<script>`. */
import { quoted, type Quoted } from './quoted.ts';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text content or a quoted attribute value. */
export function htmlText(text: string): Quoted<'html'> {
  return quoted(text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!));
}

/**
 * JSON for `<script type="application/json">`: `<`, `>` and `&` written as `\u003c`… so that no
 * `</script>` or `<!--` can appear inside, and U+2028/U+2029 escaped for older JS parsers. The
 * result is still JSON, and `JSON.parse` of the element's text gives `value` back.
 */
export function htmlJson(value: unknown): Quoted<'html'> {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error(`cannot embed ${String(value)} as JSON`);
  return quoted(text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * Inline `<style>`/`<script>` source from a template file: it may not close its element early.
 * (Our own code, so this only guards against a mistake.)
 */
export function htmlInlineSource(element: 'script' | 'style', source: string): Quoted<'html'> {
  if (new RegExp(`</${element}|<!--`, 'i').test(source))
    throw new Error(`inline ${element} source must not contain </${element} or <!--`);
  return quoted(source);
}
