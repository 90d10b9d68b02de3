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

/** An emitter failed on a schema the checks accepted: a bug, reported as one line naming the schema. */
export class EmitError extends Error {
  constructor(
    readonly file: string,
    readonly emitter: string,
    override readonly cause: unknown,
  ) {
    super(
      `${file}: the ${emitter} output could not be generated: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'EmitError';
  }
}

/** A user error: printed without a stack trace, exit code 1. */
export class GenerateError extends Error {
  constructor(readonly problems: readonly SchemaProblem[]) {
    super(problems.map(formatSchemaProblem).join('\n'));
    this.name = 'GenerateError';
  }
}
