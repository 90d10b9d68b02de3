/**
 * Quoting for Markdown output (CommonMark + GitHub tables) and for the mermaid diagrams inside it.
 * Schema text never reaches a Markdown file without going through one of these. (The snippets in
 * fenced blocks use their own syntax's helper: shell words from shell.ts, env-file values from env.ts.)
 */
import { quoted, type Quoted } from './quoted.ts';

const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;

/**
 * Prose: every character Markdown could read as syntax is backslash-escaped (`*.yml` stays text,
 * `<name>` is not HTML), and bare URLs become autolinks. In a table cell, wrap it in `mdCell`.
 */
export function mdText(text: string): Quoted<'markdown'> {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    out += escapeProse(text.slice(last, match.index)) + `<${url}>`;
    last = match.index + url.length;
  }
  const line = (out + escapeProse(text.slice(last))).replace(/\s*\n\s*/g, ' ');
  // What would start a heading, a list or a setext underline at the start of a line.
  return quoted(
    line
      .replace(/^[#=+-]/, '\\$&')
      .replace(/^(\d+)([.)])/, '$1\\$2')
      .replace(/ (#+)$/, ' \\$1'),
  );
}

/** Punctuation that ends a sentence rather than the URL; a `)` only when it closes nothing in the URL. */
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const last = url[end - 1]!;
    const opened = [...url.slice(0, end)].filter((c) => c === '(').length;
    const closed = [...url.slice(0, end)].filter((c) => c === ')').length;
    if ('.,;:!?'.includes(last) || (last === ')' && closed > opened)) end--;
    else return url.slice(0, end);
  }
}

function escapeProse(text: string): string {
  return (
    text
      .replace(/[\\`*[\]<>~]/g, '\\$&')
      // `_` only where it could open or close emphasis: at a word boundary.
      .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
      // `&` only where it could start an entity.
      .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&')
  );
}

/** A code span holding `text` verbatim, whatever backticks it contains. */
export function mdCode(text: string): Quoted<'markdown'> {
  const oneLine = text.replace(/\r?\n/g, ' ');
  const longestRun = Math.max(0, ...[...oneLine.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') || /^ .* $/.test(oneLine) ? ' ' : '';
  return quoted(`${fence}${pad}${oneLine}${pad}${fence}`);
}

/**
 * The content of a GitHub table cell: every `|` escaped, code spans included (GFM splits cells
 * before it reads code spans, and drops the backslash of `\|` there).
 */
export function mdCell(markdown: Quoted<'markdown'>): Quoted<'markdown'> {
  return quoted(markdown.replaceAll('|', '\\|'));
}

/**
 * A GitHub table: the header row (the author's own words), the delimiter row (`---`, or `---:` for
 * right-aligned), the rows; every column padded to its widest cell, as people (and prettier) lay
 * tables out, so the file is read as easily as its rendering and is written in its final layout.
 */
export function mdTable(
  header: readonly string[],
  align: readonly ('left' | 'right')[],
  rows: readonly (readonly Quoted<'markdown'>[])[],
): Quoted<'markdown'> {
  const cells = [header, ...rows.map((row) => row.map(mdCell))];
  const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => displayWidth(row[column] ?? ''))));
  const pad = (text: string, column: number) => {
    const fill = ' '.repeat(widths[column]! - displayWidth(text));
    return align[column] === 'right' ? fill + text : text + fill;
  };
  const line = (row: readonly string[]) =>
    `| ${widths.map((_, column) => pad(row[column] ?? '', column)).join(' | ')} |`;
  const delimiter = widths.map((width, column) =>
    align[column] === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width),
  );
  return quoted([line(cells[0]!), `| ${delimiter.join(' | ')} |`, ...cells.slice(1).map(line)].join('\n'));
}

/** Columns a monospace editor gives the text: combining marks take none, wide (East Asian, emoji) characters two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text.replace(/\p{M}/gu, '')) width += WIDE.test(char) ? 2 : 1;
  return width;
}
const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|\p{Extended_Pictographic}/u;

/** A whole document: never two blank lines in a row outside fenced blocks, one newline at the end. */
export function mdDocument(text: string): string {
  let fence: string | undefined;
  let blank = 0;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const marker = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) fence = marker;
    else if (fence !== undefined && marker && line.startsWith(fence) && line.trim() === fence) fence = undefined;
    blank = line.trim() === '' && fence === undefined ? blank + 1 : 0;
    if (blank < 2) out.push(line);
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

/** A fenced code block: the fence is longer than any backtick run inside. */
export function mdFence(language: string, body: string): Quoted<'markdown'> {
  const longestRun = Math.max(2, ...[...body.matchAll(/^`+/gm)].map((m) => m[0].length));
  const fence = '`'.repeat(longestRun + 1);
  return quoted(`${fence}${language}\n${body.replace(/\n+$/, '')}\n${fence}`);
}

/** An ATX heading (levels past 6 are written as 6). */
export function mdHeading(level: number, text: Quoted<'markdown'>): Quoted<'markdown'> {
  return quoted(`${'#'.repeat(Math.min(Math.max(level, 1), 6))} ${text}`);
}

/** A bullet list item, indented two spaces a level. */
export function mdListItem(text: Quoted<'markdown'>, depth = 0): Quoted<'markdown'> {
  return quoted(`${'  '.repeat(depth)}- ${text}`);
}

/** A link whose target is a relative path or a `#fragment` we generated (never schema text). */
export function mdLink(label: Quoted<'markdown'>, target: string): Quoted<'markdown'> {
  return quoted(`[${label}](${target.replace(/[ ()<>]/g, (c) => encodeURIComponent(c))})`);
}

/**
 * Heading anchors as GitHub (and markdownlint's MD051) compute them: lower case, punctuation
 * dropped, spaces → `-`, repeated slugs suffixed `-1`, `-2`… One slugger per document, fed every
 * heading in order.
 */
export class Slugger {
  readonly #seen = new Map<string, number>();

  /** `heading` is the heading's rendered text (code spans without their backticks). */
  slug(heading: string): string {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const count = this.#seen.get(base);
    this.#seen.set(base, (count ?? -1) + 1);
    return count === undefined ? base : `${base}-${count + 1}`;
  }
}

/** A mermaid node id: letters, digits and `_` only. */
export function mermaidId(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** A mermaid node label, quoted; `"` and `#` written as mermaid entity codes. */
export function mermaidLabel(text: string): string {
  return `"${text
    .replaceAll('#', '#35;')
    .replaceAll('"', '#quot;')
    .replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'))}"`;
}
