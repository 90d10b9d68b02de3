/**
 * Quoting for env files: one text that systemd `EnvironmentFile=`, docker-compose `env_file:` /
 * `.env` (1.x reads it with python-dotenv, 2.x with compose-go), the `dotenv` package and Node's
 * `--env-file` / `util.parseEnv` all read back as the same bytes (docs/deployment.md "What an env
 * file cannot carry").
 *
 * A value is single-quoted (`'…'`: verbatim for all of them, newlines included) unless a single-quote
 * rule stops it; then double-quoted (`"…"`) unless a double-quote rule stops it; else it cannot be
 * written at all, and the reason names the reader that would change it. The rules are data: the
 * same patterns (RE2 and JavaScript alike) drive this module at generate time and the consul-template
 * check at render time (gotemplate.ts), so the two cannot disagree.
 */
import { quoted, type Quoted } from './quoted.ts';

export interface EnvRule {
  /**
   * A regular expression that JavaScript (with the `u` flag) and Go's RE2 read the same way: ASCII
   * syntax, non-ASCII characters written as themselves (the templates carry them as Go `\u` escapes).
   */
  pattern: string;
  /** Why a value matching `pattern` cannot be written that way: the error text. */
  reason: string;
}

/**
 * Linux's limit on one `NAME=value` string passed to a program (MAX_ARG_STRLEN, 32 pages, with the
 * final NUL): beyond it execve() fails with E2BIG under systemd, docker, Kubernetes and envconsul alike.
 */
export const MAX_ENV_STRING_BYTES = 131072;

/** What no environment variable can hold, however it is delivered. */
export const ENV_VAR_RULES: readonly EnvRule[] = [
  { pattern: '\\x00', reason: 'contains a NUL character, which no environment variable can hold' },
];

/**
 * Unicode's noncharacters (U+FDD0–U+FDEF and the last two code points of every plane): systemd's
 * UTF-8 check (utf8_is_valid → unichar_is_valid in src/basic/utf8.c) refuses them, and a value it
 * refuses makes it drop the whole env file (with `EnvironmentFile=-`, the service starts with none of it).
 */
const NONCHARACTERS = `[\uFDD0-\uFDEF${Array.from({ length: 17 }, (_, plane) => String.fromCodePoint(plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff)).join('')}]`;

/** What no env file can hold, whatever the quoting. */
export const ENV_FILE_RULES: readonly EnvRule[] = [
  { pattern: '\\r', reason: 'contains a carriage return, which docker-compose, dotenv and Node read as a line break' },
  {
    pattern: NONCHARACTERS,
    reason:
      'contains a Unicode noncharacter (U+FFFE, U+FFFF, U+FDD0–U+FDEF…), which systemd refuses as invalid UTF-8, dropping the whole file',
  },
];

/** What single quotes cannot hold. */
export const SINGLE_QUOTE_RULES: readonly EnvRule[] = [
  { pattern: "'", reason: "in single quotes: contains ' (systemd ends the value there)" },
  { pattern: '\\\\\\\\', reason: 'in single quotes: contains \\\\ (docker-compose 1.x reads it as one backslash)' },
  {
    pattern: '\\\\$',
    reason:
      "in single quotes: ends with \\ (docker-compose and dotenv read \\' as a quote that does not end the value)",
  },
  {
    pattern: '\\$\\{[^}:]*(?::-[^}]*)?\\}',
    reason: 'in single quotes: contains ${…} (docker-compose 1.x substitutes it even inside single quotes)',
  },
];

/** What double quotes cannot hold. */
export const DOUBLE_QUOTE_RULES: readonly EnvRule[] = [
  { pattern: '"', reason: 'in double quotes: contains " (dotenv and Node keep the escaping backslash)' },
  {
    pattern: '\\\\',
    reason: 'in double quotes: contains \\ (systemd and docker-compose unescape it, dotenv and Node do not)',
  },
  { pattern: '\\$', reason: 'in double quotes: contains $ (docker-compose substitutes variables there)' },
];

export type EnvFileValue = { ok: true; text: Quoted<'env'> } | { ok: false; reason: string };

const compiled = new Map<string, RegExp>();

function broken(rules: readonly EnvRule[], value: string): string[] {
  return rules
    .filter((rule) => {
      let re = compiled.get(rule.pattern);
      if (!re) compiled.set(rule.pattern, (re = new RegExp(rule.pattern, 'u')));
      return re.test(value);
    })
    .map((rule) => rule.reason);
}

/** The byte budget left for the value of `name` (see MAX_ENV_STRING_BYTES). */
export function maxEnvValueBytes(name: string): number {
  return MAX_ENV_STRING_BYTES - Buffer.byteLength(name, 'utf8') - 2;
}

/** The texts of the refusals, as `printf` formats: Go's in the templates, `sprintf` here. */
export const REFUSALS = {
  envFile: '%s (Consul %s) cannot be written to an env file: %s',
  envVar: '%s (Consul %s) cannot be passed as an environment variable: %s',
  tooLong: 'is longer than %d bytes, the most Linux passes to a program as %s=…',
};

/** `%s`/`%d` substitution, in order: the TypeScript twin of the templates' `printf`. */
export function sprintf(format: string, ...args: (string | number)[]): string {
  let i = 0;
  return format.replace(/%[sd]/g, () => String(args[i++]));
}

/** Why `value` cannot reach a program as the environment variable `name`; empty when it can. */
export function envVarProblems(name: string, value: string): string[] {
  const reasons = broken(ENV_VAR_RULES, value);
  const max = maxEnvValueBytes(name);
  if (Buffer.byteLength(value, 'utf8') > max) reasons.push(sprintf(REFUSALS.tooLong, max, name));
  return reasons;
}

/** `value` quoted for an env file, or why no quoting reads back the same in every reader. */
export function envFileValue(name: string, value: string): EnvFileValue {
  const fatal = [...envVarProblems(name, value), ...broken(ENV_FILE_RULES, value)];
  if (fatal.length > 0) return { ok: false, reason: fatal.join('; ') };
  const single = broken(SINGLE_QUOTE_RULES, value);
  if (single.length === 0) return { ok: true, text: quoted(`'${value}'`) };
  const double = broken(DOUBLE_QUOTE_RULES, value);
  if (double.length === 0) return { ok: true, text: quoted(`"${value}"`) };
  return { ok: false, reason: [...single, ...double].join('; ') };
}

/**
 * `#` comment lines, for env files (and HCL and YAML, which share the syntax): `text` wrapped at
 * `width`. A line never ends with `\`, which systemd before v254 reads as continuing the comment
 * onto the next (assignment) line.
 */
export function hashComment(text: string, width = 100): Quoted<'hash-comment'> {
  const lines = wrap(text.replace(/\r\n?/g, '\n'), width - 2).map(
    (line) => `#${line ? ' ' : ''}${line}${line.endsWith('\\') ? ' ' : ''}\n`,
  );
  return quoted(lines.join(''));
}

function wrap(text: string, width: number): string[] {
  return text.split('\n').flatMap((paragraph) => {
    const lines: string[] = [];
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
    return lines;
  });
}

/** A name safe on the left of `=` in every reader (and a POSIX/C identifier). */
export function isEnvName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** The env-file line `NAME=value` (or `# NAME=`, commented out, without a value). */
export function envLine(name: string, value: Quoted<'env'> | 'commented-out'): Quoted<'env'> {
  if (!isEnvName(name)) throw new Error(`${JSON.stringify(name)} cannot be an environment variable's name`);
  return quoted(value === 'commented-out' ? `# ${name}=` : `${name}=${value}`);
}
