/**
 * systemd's EnvironmentFile= reader, ported line for line from parse_env_file_internal() and
 * load_env_file_push() in systemd's src/basic/env-file.c (v254+; Debian 12 ships v252, whose only
 * difference is that a comment line ending in `\` also swallows the next line, which our comments
 * never do: syntax/env.ts). No systemd manager runs here to read a unit's env file for real, so the
 * tests read the generated files with this port, beside the real dotenv, Node, godotenv and docker-compose.
 *
 * With load_env_file_push()'s check_utf8ness_and_warn(): a key or value that is not valid UTF-8 in
 * systemd's sense (utf8_is_valid → unichar_is_valid, src/basic/utf8.c: no surrogate, no U+FDD0–U+FDEF,
 * no U+xFFFE/U+xFFFF of any plane) fails the whole file — the unit gets none of its variables, or,
 * with `EnvironmentFile=-`, starts without them. The port throws there.
 */
const NEWLINE = '\n\r';
const WHITESPACE = ' \t\n\r';
const COMMENTS = '#;';
const SHELL_NEED_ESCAPE = '"\\`$';

/** systemd's unichar_is_valid(), on code points (a lone surrogate is what invalid UTF-8 becomes here). */
function unicharIsValid(c: number): boolean {
  if (c >= 0x110000) return false;
  if ((c & 0xfffff800) === 0xd800) return false;
  if (c >= 0xfdd0 && c <= 0xfdef) return false;
  if ((c & 0xfffe) === 0xfffe) return false;
  return true;
}

function firstInvalid(text: string): number | undefined {
  for (const char of text) {
    const c = char.codePointAt(0)!;
    if (!unicharIsValid(c)) return c;
  }
  return undefined;
}

type State =
  | 'PRE_KEY'
  | 'KEY'
  | 'PRE_VALUE'
  | 'VALUE'
  | 'VALUE_ESCAPE'
  | 'SINGLE'
  | 'DOUBLE'
  | 'DOUBLE_ESCAPE'
  | 'COMMENT'
  | 'COMMENT_ESCAPE';

export function parseSystemdEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  let state: State = 'PRE_KEY';
  let key = '';
  let value: string | null = null;
  let lastKeyWhitespace = -1;
  let lastValueWhitespace = -1;
  const append = (c: string) => (value = (value ?? '') + c);
  const push = () => {
    const k = lastKeyWhitespace >= 0 ? key.slice(0, lastKeyWhitespace) : key;
    const bad = firstInvalid(k) ?? firstInvalid(value ?? '');
    if (bad !== undefined)
      throw new Error(
        `systemd: invalid UTF-8 (U+${bad.toString(16).toUpperCase().padStart(4, '0')}) for key ${k}: the whole file is ignored`,
      );
    env[k] = value ?? '';
    key = '';
    value = null;
  };
  for (const c of text) {
    switch (state) {
      case 'PRE_KEY':
        if (COMMENTS.includes(c)) state = 'COMMENT';
        else if (!WHITESPACE.includes(c)) {
          state = 'KEY';
          lastKeyWhitespace = -1;
          key += c;
        }
        break;
      case 'KEY':
        if (NEWLINE.includes(c)) {
          state = 'PRE_KEY';
          key = '';
        } else if (c === '=') {
          state = 'PRE_VALUE';
          lastValueWhitespace = -1;
        } else {
          if (!WHITESPACE.includes(c)) lastKeyWhitespace = -1;
          else if (lastKeyWhitespace === -1) lastKeyWhitespace = key.length;
          key += c;
        }
        break;
      case 'PRE_VALUE':
        if (NEWLINE.includes(c)) {
          state = 'PRE_KEY';
          push();
        } else if (c === "'") state = 'SINGLE';
        else if (c === '"') state = 'DOUBLE';
        else if (c === '\\') state = 'VALUE_ESCAPE';
        else if (!WHITESPACE.includes(c)) {
          state = 'VALUE';
          append(c);
        }
        break;
      case 'VALUE':
        if (NEWLINE.includes(c)) {
          state = 'PRE_KEY';
          if (lastValueWhitespace >= 0 && value !== null) value = (value as string).slice(0, lastValueWhitespace);
          push();
        } else if (c === '\\') {
          state = 'VALUE_ESCAPE';
          lastValueWhitespace = -1;
        } else {
          if (!WHITESPACE.includes(c)) lastValueWhitespace = -1;
          else if (lastValueWhitespace === -1) lastValueWhitespace = (value ?? '').length;
          append(c);
        }
        break;
      case 'VALUE_ESCAPE':
        state = 'VALUE';
        if (!NEWLINE.includes(c)) append(c);
        break;
      case 'SINGLE':
        if (c === "'") state = 'PRE_VALUE';
        else append(c);
        break;
      case 'DOUBLE':
        if (c === '"') state = 'PRE_VALUE';
        else if (c === '\\') state = 'DOUBLE_ESCAPE';
        else append(c);
        break;
      case 'DOUBLE_ESCAPE':
        state = 'DOUBLE';
        if (SHELL_NEED_ESCAPE.includes(c)) append(c);
        else if (c !== '\n') append(`\\${c}`);
        break;
      case 'COMMENT':
        if (c === '\\') state = 'COMMENT_ESCAPE';
        else if (NEWLINE.includes(c)) state = 'PRE_KEY';
        break;
      case 'COMMENT_ESCAPE':
        state = NEWLINE.includes(c) ? 'PRE_KEY' : 'COMMENT';
        break;
    }
  }
  if (['PRE_VALUE', 'VALUE', 'VALUE_ESCAPE', 'SINGLE', 'DOUBLE', 'DOUBLE_ESCAPE'].includes(state)) {
    if (state === 'VALUE' && lastValueWhitespace >= 0 && value !== null)
      value = (value as string).slice(0, lastValueWhitespace);
    push();
  }
  return env;
}
