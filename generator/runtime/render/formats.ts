/**
 * The built-in writers of `x-service.render` (docs/exec.md "Formats"). Each one turns the leaves
 * under a render's `from` group into one file, escaping every value for its format, so that no
 * value can start a line, end a quoted string or add a setting. What a format cannot carry is not
 * written: it becomes a refusal naming the key and the reason, and the caller keeps the last good
 * file. The rules, per format:
 *
 * - postgresql: `name = value`, strings in single quotes with `'` doubled and `\` doubled (the
 *   postgresql.conf lexer unescapes backslashes); booleans `on`/`off`; lists comma-joined in one
 *   quoted string; null leaves the line out (PostgreSQL's default applies). Refused: control
 *   characters (a line break would end the setting), list items holding `,` (PostgreSQL splits on it).
 * - ini: `[group.path]` sections, `key = value`; strings raw, other values as their value text
 *   (JSON). Refused: control characters, leading or trailing blanks (INI readers strip them).
 * - kamailio: preprocessor lines for kamailio.cfg, the name being the key upper-cased with `_`
 *   between path segments: `#!define NAME 42` for integers, `#!define NAME` for true (nothing for
 *   false or null, so `#!ifdef NAME` works), `#!substdef "!NAME!text!"` for strings (Kamailio
 *   defines NAME as the raw text and replaces it inside quoted strings too); the delimiter is one
 *   the text does not hold. Longer names come first, so `LISTEN_XHTTP` is substituted before
 *   `LISTEN`. Refused: control characters, `\` and `"` (the directive is itself a quoted string),
 *   non-integer numbers, lists and maps.
 * - yaml, json: the leaves as one document; both formats can carry any JSON value.
 * - env: `NAME='value'` lines read back the same by systemd, docker-compose, dotenv and Node (the
 *   quoting rules of the generated env files); names are the leaves' environment variables.
 */
import { stringify as yamlStringify } from 'yaml';
import { envFileValue } from '../../syntax/env.ts';
import { encode } from '../codec.ts';
import { dotted } from '../tree.ts';
import type { JsonObject, JsonValue, SettingSpec } from '../types.ts';
import type { FormatName } from './spec.ts';

/** One leaf as a writer sees it. */
export interface Entry {
  setting: SettingSpec;
  /** The path below the render's `from` group. */
  rel: readonly string[];
  value: JsonValue;
}

export interface Refusal {
  /** The dotted key. */
  key: string;
  reason: string;
}

export interface Written {
  text: string;
  refusals: Refusal[];
}

type Writer = (entries: readonly Entry[]) => Written;

/** Control characters but the tab: line breaks, NUL, escape… */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const CONTROL_REASON =
  'it holds a control character (a line break, a NUL…), which would end the line and could start another setting';

class Collector {
  readonly refusals: Refusal[] = [];
  refuse(entry: Entry, reason: string): void {
    this.refusals.push({ key: dotted(entry.setting.path), reason });
  }
}

const postgresql: Writer = (entries) => {
  const c = new Collector();
  const lines: string[] = [];
  for (const entry of entries) {
    const name = entry.rel.join('.');
    if (!/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)*$/.test(name)) {
      c.refuse(entry, `"${name}" is not a PostgreSQL parameter name`);
      continue;
    }
    const value = pgValue(entry, c);
    if (value !== undefined) lines.push(`${name} = ${value}`);
  }
  return { text: lines.map((l) => `${l}\n`).join(''), refusals: c.refusals };
};

function pgValue(entry: Entry, c: Collector): string | undefined {
  const { value } = entry;
  if (value === null) return undefined;
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return pgQuote(entry, value, c);
  if (Array.isArray(value)) {
    const items = value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    if (items.some((item) => item.includes(',')))
      return void c.refuse(entry, 'a list item holds ",", which PostgreSQL reads as the start of another item');
    return pgQuote(entry, items.join(', '), c);
  }
  return void c.refuse(entry, 'a map has no postgresql.conf form');
}

function pgQuote(entry: Entry, text: string, c: Collector): string | undefined {
  if (CONTROL.test(text)) return void c.refuse(entry, CONTROL_REASON);
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

const ini: Writer = (entries) => {
  const c = new Collector();
  const sections = new Map<string, string[]>();
  for (const entry of entries) {
    const section = entry.rel.slice(0, -1).join('.');
    const key = entry.rel.at(-1)!;
    if (/[=:[\]\s;#]/.test(key) || CONTROL.test(section)) {
      c.refuse(entry, `"${key}" cannot be an INI key (it holds =, :, [, ], ;, # or a blank)`);
      continue;
    }
    const text = typeof entry.value === 'string' ? entry.value : encode(entry.value);
    if (CONTROL.test(text)) c.refuse(entry, CONTROL_REASON);
    else if (text !== text.trim()) c.refuse(entry, 'it starts or ends with a blank, which INI readers strip');
    else {
      if (!sections.has(section)) sections.set(section, []);
      sections.get(section)!.push(`${key} = ${text}`);
    }
  }
  const blocks = [...sections]
    .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : 0))
    .map(([section, lines]) => (section ? [`[${section}]`, ...lines] : lines).join('\n') + '\n');
  return { text: blocks.join('\n'), refusals: c.refusals };
};

const SUBSTDEF_DELIMITERS = ['!', '#', '%', '|', '~', '^', ',', ';', '@', '='];

const kamailio: Writer = (entries) => {
  const c = new Collector();
  const lines: { name: string; line: string }[] = [];
  for (const entry of entries) {
    const name = entry.rel.join('_').toUpperCase();
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) {
      c.refuse(entry, `"${name}" is not a Kamailio preprocessor name`);
      continue;
    }
    const { value } = entry;
    if (value === null || value === false) continue;
    if (value === true) lines.push({ name, line: `#!define ${name}` });
    else if (typeof value === 'number') {
      if (Number.isInteger(value)) lines.push({ name, line: `#!define ${name} ${value}` });
      else c.refuse(entry, 'Kamailio has no fractional numbers');
    } else if (typeof value === 'string') {
      if (CONTROL.test(value)) c.refuse(entry, CONTROL_REASON);
      else if (/["\\]/.test(value))
        c.refuse(entry, 'it holds " or \\, which would end or escape the quoted #!substdef directive');
      else {
        const delimiter = SUBSTDEF_DELIMITERS.find((d) => !value.includes(d) && !name.includes(d));
        if (delimiter) lines.push({ name, line: `#!substdef "${delimiter}${name}${delimiter}${value}${delimiter}"` });
        else c.refuse(entry, `it holds every #!substdef delimiter (${SUBSTDEF_DELIMITERS.join(' ')})`);
      }
    } else c.refuse(entry, 'a list or a map has no #!define form');
  }
  // Longer names first: a string substitution for LISTEN must not eat the start of LISTEN_XHTTP.
  lines.sort((a, b) => b.name.length - a.name.length || (a.name < b.name ? -1 : 1));
  return { text: lines.map((l) => `${l.line}\n`).join(''), refusals: c.refusals };
};

function nested(entries: readonly Entry[]): JsonObject {
  const root: JsonObject = {};
  for (const { rel, value } of entries) {
    let node = root;
    for (const segment of rel.slice(0, -1)) node = (node[segment] ??= {}) as JsonObject;
    node[rel.at(-1)!] = value;
  }
  return root;
}

const yaml: Writer = (entries) => ({ text: yamlStringify(nested(entries), { lineWidth: 0 }), refusals: [] });

const json: Writer = (entries) => ({ text: `${JSON.stringify(nested(entries), null, 2)}\n`, refusals: [] });

const env: Writer = (entries) => {
  const c = new Collector();
  const lines: string[] = [];
  for (const entry of entries) {
    const text = encode(entry.value, entry.setting);
    const quoted = envFileValue(entry.setting.env, text);
    if (quoted.ok) lines.push(`${entry.setting.env}=${quoted.text}`);
    else c.refuse(entry, quoted.reason);
  }
  return { text: lines.map((l) => `${l}\n`).join(''), refusals: c.refusals };
};

export const WRITERS: Record<FormatName, Writer> = { postgresql, ini, kamailio, yaml, json, env };
