/**
 * Quoting for TypeScript output: every value is written as a JSON literal (JSON is valid
 * TypeScript expression syntax), never by pasting strings into code.
 */
export function tsLiteral(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error(`cannot write ${String(value)} as a TypeScript literal`);
  return text;
}

/** A property name: bare when it is an identifier, else quoted. */
export function tsPropertyName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : tsLiteral(name);
}

/** Text for a `/** … *\/` comment: `*\/` cannot close it early. */
export function tsDocText(text: string): string {
  return text.replaceAll('*/', '*\\/');
}
