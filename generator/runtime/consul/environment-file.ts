/**
 * systemd `EnvironmentFile=` syntax, as `/etc/wazo-platform/consul` is written: `NAME=value` lines;
 * blank lines and lines starting with `#` or `;` ignored; a value may be wrapped in single or
 * double quotes (double quotes honour `\"`, `\\`, `\n`); a line ending in `\` goes on on the next
 * line; whitespace around `=` and at the end of an unquoted value is dropped. A `#` inside a value is
 * part of it, as in systemd.
 */
export function parseEnvironmentFile(text: string): Map<string, string> {
  const variables = new Map<string, string>();
  const lines = text.replace(/\r\n?/g, '\n').replace(/\\\n/g, '').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    variables.set(match[1]!, unquote(match[2]!));
  }
  return variables;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
  }
  return value;
}
