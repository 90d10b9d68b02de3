/**
 * Templates with Nunjucks, whose syntax is Jinja2's (`{{ port }}`, `{% if %}`, filters), which
 * Wazo's Python developers already write. Used for `x-service.render[].template` files and for the
 * strings of `x-service.reload.command` and `x-service.check`. The configuration's top-level keys
 * are the template's variables (and `config` is the whole of it). An undefined name is an error,
 * not an empty string; output is not HTML-escaped (these are config files): a template picks the
 * escaping of its format with a filter.
 *
 * Filters beside Nunjucks' own: `tojson` (as Jinja2's; JSON is also YAML), `pgquote` (a
 * postgresql.conf string), `probe_host` (the address to connect to from a listen list: `*`,
 * `0.0.0.0` and empty give 127.0.0.1, `::` gives ::1).
 */
import nunjucks from 'nunjucks';
import type { JsonObject, JsonValue } from '../types.ts';
import { CONTROL } from './formats.ts';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

const ENVIRONMENTS = new Map<string, nunjucks.Environment>();

/** One environment per template directory (`''`: strings only). */
function environment(directory: string): nunjucks.Environment {
  let env = ENVIRONMENTS.get(directory);
  if (env) return env;
  const loader = directory ? new nunjucks.FileSystemLoader(directory, { noCache: true }) : null;
  env = new nunjucks.Environment(loader, { autoescape: false, throwOnUndefined: true });
  env.addFilter('tojson', (value: unknown) => JSON.stringify(value));
  env.addFilter('pgquote', (value: unknown) => {
    const text = String(value);
    if (CONTROL.test(text))
      throw new TemplateError('pgquote: a postgresql.conf string cannot hold a control character');
    return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
  });
  env.addFilter('probe_host', probeHost);
  ENVIRONMENTS.set(directory, env);
  return env;
}

export function probeHost(listen: unknown): string {
  const first = (Array.isArray(listen) ? listen.map(String) : String(listen ?? '').split(','))
    .map((s) => s.trim())
    .find((s) => s !== '');
  if (first === undefined || first === '*' || first === '0.0.0.0') return '127.0.0.1';
  if (first === '::') return '::1';
  return first.replace(/^\[(.*)\]$/, '$1');
}

function contextOf(config: JsonObject): Record<string, JsonValue | JsonObject> {
  return { ...config, config };
}

/** Renders a string template; errors name the template text. */
export function renderString(template: string, config: JsonObject): string {
  try {
    return environment('').renderString(template, contextOf(config));
  } catch (error) {
    throw new TemplateError(`${JSON.stringify(template)}: ${cleanMessage(error)}`);
  }
}

/** Renders the template file `name` found in `directory`. */
export function renderFile(directory: string, name: string, config: JsonObject): string {
  try {
    return environment(directory).render(name, contextOf(config));
  } catch (error) {
    throw new TemplateError(`template ${name}: ${cleanMessage(error)}`);
  }
}

/** Nunjucks wraps errors as `(file) [Line n, Column m]\n  Error: …`: one line is enough. */
function cleanMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\b(Template render error|Error|TemplateError): /g, '')
    .replace(/^\((?:[^)]*\/)?([^)/]*)\) /, '')
    .replace(/\[Line (\d+), Column (\d+)\] /, 'line $1, column $2: ')
    .replace(/^(line \d+, column \d+: )?[a-z][A-Za-z]*: /, '$1')
    .replace(
      'attempted to output null or undefined value',
      'it outputs an undefined name (not a setting of this service, or a setting without a value)',
    )
    .trim();
}
