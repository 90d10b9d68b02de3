/**
 * The benchmark registry's contract: every `bench/*.bench.ts` default-exports a `Bench`, whose
 * `run()` returns one `Section` of docs/benchmarks.md. Later benchmarks (Consul seeding, watch
 * latency…) are new files, nothing else.
 */

export interface Table {
  columns: string[];
  rows: string[][];
  /** Columns whose text is right-aligned (numbers). */
  numeric?: number[];
}

export interface Section {
  title: string;
  /** Paragraphs before the tables (Markdown). */
  intro?: string[];
  tables: Table[];
  /** Bullets after the tables (Markdown). */
  notes?: string[];
}

export interface Bench {
  /** Short name, used to select benches: `npm run bench -- <name>…`. */
  name: string;
  /** Benches run by ascending order (default 100), then by file name. */
  order?: number;
  run(): Promise<Section>;
}

function widths(table: Table): number[] {
  return table.columns.map((column, i) => Math.max(column.length, ...table.rows.map((row) => (row[i] ?? '').length)));
}

function pad(text: string, width: number, right: boolean): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function tableToMarkdown(table: Table): string {
  const w = widths(table);
  const right = (i: number) => table.numeric?.includes(i) ?? false;
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => pad(c.replaceAll('|', '\\|'), w[i]!, right(i))).join(' | ')} |`;
  const rule = `|${w.map((n, i) => (right(i) ? `${'-'.repeat(n + 1)}:` : '-'.repeat(n + 2))).join('|')}|`;
  return [line(table.columns), rule, ...table.rows.map(line)].join('\n');
}

export function tableToText(table: Table): string {
  const w = widths(table);
  const line = (cells: string[]) => cells.map((c, i) => pad(c, w[i]!, table.numeric?.includes(i) ?? false)).join('  ');
  return [line(table.columns), w.map((n) => '─'.repeat(n)).join('  '), ...table.rows.map(line)].join('\n');
}

export function sectionToMarkdown(section: Section): string {
  const parts = [`## ${section.title}`, ...(section.intro ?? []), ...section.tables.map(tableToMarkdown)];
  if (section.notes?.length) parts.push(section.notes.map((n) => `- ${n}`).join('\n'));
  return parts.join('\n\n');
}

/** Console form: the tables and notes, Markdown markup left as is (it reads fine as text). */
export function sectionToText(section: Section): string {
  const parts = [`${section.title}\n${'='.repeat(section.title.length)}`, ...section.tables.map(tableToText)];
  if (section.notes?.length) parts.push(section.notes.map((n) => `  - ${n}`).join('\n'));
  return parts.join('\n\n');
}
