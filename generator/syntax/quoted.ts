/**
 * Quoted output as a type (as ajv's `_Code`): text a generator/syntax helper has made safe for one
 * output syntax carries that syntax in its type, so a frame slot typed for quoted text refuses a
 * plain string at compile time. Only the helpers of generator/syntax/ mint these values, and the
 * tagged templates below compose them: their literal parts are the author's own text in that syntax,
 * each interpolated value must already be quoted for it.
 */
declare const SYNTAX: unique symbol;

/**
 * `hcl`: an HCL expression; `hash-comment`: whole `#` comment lines; `comment-text`: text inside one
 * `#` line; `env`: env-file lines; `go-template`: Go `text/template` text (a `.ctmpl` file);
 * `yaml`: a YAML scalar; `html`: HTML text; `markdown`: Markdown.
 */
export type QuotedSyntax =
  'hcl' | 'hash-comment' | 'comment-text' | 'env' | 'go-template' | 'yaml' | 'html' | 'markdown';

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

/** A tagged template for syntax `S`: `mdTag\`- ${mdCode(key)}\`` is quoted Markdown; a plain string is refused. */
export function quoteTag<S extends QuotedSyntax>() {
  return (literals: TemplateStringsArray, ...values: Quoted<S>[]): Quoted<S> =>
    quoted<S>(literals.reduce((text, literal, i) => text + values[i - 1]! + literal));
}

/** Markdown built from literal Markdown and quoted pieces. */
export const mdTag = quoteTag<'markdown'>();
/** Go template text built from literal template text and quoted pieces. */
export const goTag = quoteTag<'go-template'>();
