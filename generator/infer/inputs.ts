/** The YAML files `infer` reads, parsed as the loader parses config files, comments kept. */
import { readFileSync } from 'node:fs';
import { isMap, type Document, type LineCounter } from 'yaml';
import { execNodes, parseYamlDocument, type ExecNode } from '../runtime/yaml-document.ts';

/**
 * `defaults`: the in-code defaults (`--defaults`); `main`: the first file (the shipped config.yml); `other`: the rest.
 */
export type InputRole = 'defaults' | 'main' | 'other';

export interface InputFile {
  file: string;
  role: InputRole;
  doc: Document;
  lineCounter: LineCounter;
  /** Its `!exec` nodes: recognised, never run. */
  execs: ExecNode[];
}

/** Every input, or every reason some cannot be read (`file:line:col: …`). */
export function readInputs(files: readonly string[], defaults?: string): { inputs: InputFile[]; problems: string[] } {
  const inputs: InputFile[] = [];
  const problems: string[] = [];
  const named = [
    ...files.map((file, i) => ({ file, role: (i === 0 ? 'main' : 'other') as InputRole })),
    ...(defaults ? [{ file: defaults, role: 'defaults' as const }] : []),
  ];
  for (const { file, role } of named) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(`${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      continue;
    }
    const { doc, lineCounter } = parseYamlDocument(text);
    const issue = doc.errors[0] ?? doc.warnings[0];
    if (issue) {
      const at = issue.linePos?.[0];
      problems.push(`${file}${at ? `:${at.line}:${at.col}` : ''}: invalid YAML: ${issue.message.split('\n')[0]}`);
      continue;
    }
    if (doc.contents !== null && !isMap(doc.contents) && doc.toJS() !== null) {
      problems.push(`${file}: expected a mapping at the top of the file`);
      continue;
    }
    inputs.push({ file, role, doc, lineCounter, execs: execNodes(doc, lineCounter) });
  }
  return { inputs, problems };
}
