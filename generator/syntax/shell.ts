/** Quoting for POSIX shell command lines (consul-template's `command`, the docs' examples). */

/** A word for `sh -c`: as is when plain, else single-quoted (a `'` inside written as `'\''`). */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
