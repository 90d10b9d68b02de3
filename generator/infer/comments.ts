/**
 * What a YAML comment says: the description of the key under it, or a commented-out example of
 * settings (Wazo's shipped files document many keys that way: `# consul:` / `#   host: …`).
 * Comments arrive as the yaml library keeps them: one string, one line per comment line, the text
 * after `#`; a blank line between comments is an empty line.
 */
import { isMap, type Document } from 'yaml';
import { parseYamlDocument } from '../runtime/yaml-document.ts';

/** A key as Wazo writes them: lower case, digits, `_`, `-`, `.`. */
const KEY = /^[a-z0-9_][a-z0-9_.-]*$/;
/** A line that opens a top-level mapping entry. */
const KEY_LINE = /^[a-z0-9_][a-z0-9_.-]*:(\s|$)/;

/** The comment's text without the one space after `#`, so that commented-out YAML keeps its indentation. */
function uncomment(line: string): string {
  return line.startsWith(' ') ? line.slice(1) : line;
}

/** Lines split where a comment line is empty (`#` alone) or a line is blank. */
function paragraphs(lines: string[]): string[][] {
  const out: string[][] = [[]];
  for (const line of lines) {
    if (line.trim() === '') out.push([]);
    else out[out.length - 1]!.push(line);
  }
  return out.filter((p) => p.length > 0);
}

/** Commented-out settings: the text parses as a mapping whose keys all look like keys. */
function commentedSettings(lines: string[]): Document | undefined {
  if (!lines[0] || !KEY_LINE.test(lines[0])) return undefined;
  const { doc } = parseYamlDocument(lines.join('\n'));
  if (doc.errors.length > 0 || doc.warnings.length > 0 || !isMap(doc.contents)) return undefined;
  const value = doc.toJS() as Record<string, unknown>;
  return Object.keys(value).every((key) => KEY.test(key)) ? doc : undefined;
}

function isProse(paragraph: string[]): boolean {
  return !paragraph.some((line) => line.startsWith('#')) && !commentedSettings(paragraph);
}

/**
 * The description a comment gives the key right under it: its prose paragraphs nearest the key,
 * lines joined. None when a blank line separates the comment from the key (it is about something
 * else) or when the nearest paragraph is commented-out YAML.
 */
export function descriptionOf(comment: string | null | undefined): string | undefined {
  if (!comment) return undefined;
  const lines = comment.split('\n');
  const block = lines.slice(lines.lastIndexOf('') + 1).map(uncomment);
  const kept: string[] = [];
  for (const paragraph of paragraphs(block).reverse()) {
    if (!isProse(paragraph)) break;
    kept.unshift(paragraph.map((line) => line.trim()).join(' '));
  }
  return kept.length > 0 ? kept.join('\n\n') : undefined;
}

/**
 * The commented-out settings in a comment, each as a YAML document relative to the mapping the
 * comment sits in. Prose lines just before them become the comment of their first key (`# Log
 * file.` / `# log_filename: …` once uncommented).
 */
export function commentedExamples(comment: string | null | undefined): Document[] {
  if (!comment) return [];
  const found: Document[] = [];
  const blocks: string[][] = [];
  for (const paragraph of paragraphs(comment.split('\n').map(uncomment))) {
    // An indented paragraph continues the previous one: a blank line inside a commented-out mapping.
    if (/^\s/.test(paragraph[0]!) && blocks.length > 0) blocks[blocks.length - 1]!.push(...paragraph);
    else blocks.push(paragraph);
  }
  for (const block of blocks) {
    const start = block.findIndex((line) => KEY_LINE.test(line));
    if (start < 0) continue;
    const prose = block.slice(0, start).map((line) => `# ${line.replace(/^#\s?/, '')}`);
    const doc = commentedSettings(block.slice(start));
    if (doc) found.push(prose.length > 0 ? parseYamlDocument([...prose, ...block.slice(start)].join('\n')).doc : doc);
  }
  return found;
}
