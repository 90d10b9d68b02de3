/**
 * Quoted output as a type (as ajv's `_Code`): text a generator/syntax helper has made safe for one
 * output syntax carries that syntax in its type, so a frame slot typed for quoted text refuses a
 * plain string at compile time. Only the helpers of generator/syntax/ mint these values.
 */
declare const SYNTAX: unique symbol;

/** `hcl`: an HCL expression; `hash-comment`: whole `#` comment lines; `comment-text`: text inside one `#` line. */
export type QuotedSyntax = 'hcl' | 'hash-comment' | 'comment-text';

export type Quoted<S extends QuotedSyntax = QuotedSyntax> = string & { readonly [SYNTAX]: S };

/** For the syntax helpers: `text` is already quoted for `S`. */
export function quoted<S extends QuotedSyntax>(text: string): Quoted<S> {
  return text as Quoted<S>;
}

/** Text inside a `#` comment line: as is, refused if a line break would end the comment. */
export function commentText(text: string): Quoted<'comment-text'> {
  if (/[\r\n]/.test(text))
    throw new Error(`cannot write ${JSON.stringify(text)} inside a # comment line: it holds a line break`);
  return quoted(text);
}

/** Quoted pieces of one syntax joined: still quoted for it. */
export function joinQuoted<S extends QuotedSyntax>(pieces: readonly Quoted<S>[], separator = ''): Quoted<S> {
  return quoted<S>(pieces.join(separator));
}
