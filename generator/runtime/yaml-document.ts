/**
 * Config files as documents of the `yaml` library, with comments, node ranges and line numbers:
 * what `validate` (lines of keys) and `infer` (comments, shapes) need. The loader itself reads
 * values with yaml11.ts; both see the same `!exec` tag.
 */
import { LineCounter, parseDocument, visit, type CollectionTag, type Document, type Tags, type YAMLMap } from 'yaml';

const YAML_OPTIONS = {
  version: '1.1',
  prettyErrors: true,
  uniqueKeys: true,
  customTags: (tags: Tags) => [
    ...tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp'),
    EXEC_TAG,
  ],
} as const;

/** A YAML text parsed with comments and node ranges kept, with its line counter. */
export function parseYamlDocument(text: string): { doc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  return { doc: parseDocument(text, { ...YAML_OPTIONS, lineCounter }), lineCounter };
}

/** Always recognised, so that an `!exec` file is named as such even when running commands is off. */
export const EXEC_TAG: CollectionTag = { tag: '!exec', collection: 'map', resolve: (map) => map };

export interface ExecNode {
  node: YAMLMap;
  /** The `command` value as written; null when the mapping has none (the node then reads as null, as in Wazo). */
  command: unknown;
  /** 1-based line of the node. */
  line: number;
}

export function execNodes(doc: Document, lineCounter: LineCounter): ExecNode[] {
  const found: ExecNode[] = [];
  visit(doc, {
    Map(_key, node) {
      if (node.tag !== '!exec') return;
      const value = node.toJS(doc) as Record<string, unknown>;
      found.push({ node, command: value.command ?? null, line: lineCounter.linePos(node.range?.[0] ?? 0).line });
    },
  });
  return found;
}
