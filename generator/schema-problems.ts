/** Problems in schemas, reported all at once as `<file>#<pointer>: <what is wrong> (<hint>)`. */

export interface SchemaProblem {
  file: string;
  pointer: string;
  message: string;
  hint: string;
}

export function formatSchemaProblem(p: SchemaProblem): string {
  return `${p.file}#${p.pointer}: ${p.message} (${p.hint})`;
}

/** A user error: printed without a stack trace, exit code 1. */
export class GenerateError extends Error {
  constructor(readonly problems: readonly SchemaProblem[]) {
    super(problems.map(formatSchemaProblem).join('\n'));
    this.name = 'GenerateError';
  }
}
