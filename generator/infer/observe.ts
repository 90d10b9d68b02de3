/**
 * Every input walked into one tree of observations: for each key path, the values the inputs
 * give it (as YAML nodes, so that `60.0` stays a float), its description from the comments, and
 * the commented-out examples found in the comments, kept apart from real values.
 */
import { isMap, isScalar, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { commentedExamples, descriptionOf } from './comments.ts';
import type { InputFile } from './inputs.ts';

export interface Sample {
  /** The value's node; null for an empty value (`key:`). */
  node: Node | null;
  doc: Document;
  input: InputFile;
  /** From a commented-out example, not from a setting. */
  commented: boolean;
}

export interface Observed {
  samples: Sample[];
  children: Map<string, Observed>;
  description?: string;
  /** `file:line` of the key where first seen. */
  where?: string;
}

interface WalkContext {
  input: InputFile;
  doc: Document;
  commented: boolean;
  /** Comments to search for commented-out examples, with the mapping they sit in. */
  comments: { at: Observed; comment: string | null | undefined; input: InputFile }[];
}

export function observeInputs(inputs: readonly InputFile[]): Observed {
  const root: Observed = { samples: [], children: new Map() };
  const comments: WalkContext['comments'] = [];
  for (const input of inputs) {
    const { doc } = input;
    comments.push({ at: root, comment: doc.commentBefore, input }, { at: root, comment: doc.comment, input });
    if (isMap(doc.contents) && doc.contents.tag !== '!exec') {
      comments.push({ at: root, comment: doc.contents.comment, input });
      observeEntries(root, doc.contents, { input, doc, commented: false, comments });
    }
  }
  // Examples last, so that real keys keep the order of the files.
  for (const { at, comment, input } of comments) {
    for (const doc of commentedExamples(comment)) {
      if (isMap(doc.contents)) observeEntries(at, doc.contents, { input, doc, commented: true, comments: [] });
    }
  }
  return root;
}

function observeEntries(at: Observed, map: YAMLMap, context: WalkContext): void {
  map.items.forEach((pair: Pair, i) => {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    let child = at.children.get(key);
    if (!child) at.children.set(key, (child = { samples: [], children: new Map() }));
    const comment = keyNode?.commentBefore ?? (i === 0 ? map.commentBefore : undefined);
    const inline = isScalar(pair.value) ? pair.value.comment?.trim() : undefined;
    child.description ??=
      (isFileHeader(comment, i, map, context.doc) ? undefined : descriptionOf(comment)) ?? (inline || undefined);
    if (!context.commented) {
      context.comments.push({ at, comment, input: context.input });
      if (!child.where && keyNode?.range)
        child.where = `${context.input.file}:${context.input.lineCounter.linePos(keyNode.range[0]).line}`;
    }
    observeValue(child, (pair.value as Node | null) ?? null, context);
  });
}

/**
 * A comment that opens the file in one block, down to the first key, is the file's header
 * (provenance, licence: `# RENDERED from …`), not that key's description. When a blank line
 * splits it, the paragraph under the blank line is directly above the key and describes it.
 */
function isFileHeader(comment: string | null | undefined, i: number, map: YAMLMap, doc: Document): boolean {
  return i === 0 && map === doc.contents && !doc.commentBefore && !!comment && !comment.split('\n').includes('');
}

function observeValue(at: Observed, node: Node | null, context: WalkContext): void {
  // An `!exec` node is recognised, never run: what it stands for is unknown.
  if (isMap(node) && node.tag === '!exec') return;
  at.samples.push({ node, doc: context.doc, input: context.input, commented: context.commented });
  if (isMap(node)) observeEntries(at, node, context);
}
