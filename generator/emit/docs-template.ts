/**
 * The docs' text lives in `templates/docs/`; this fills its `{{name}}` placeholders in one pass
 * (so a filled-in value is never read as a placeholder). Values arrive already quoted for the
 * template's syntax (generator/syntax/markdown.ts, html.ts). A placeholder without a value, or a
 * value without a placeholder, is an error: the template and its emitter must agree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;

/** The templates wazo-config ships: the nearest `templates/docs` above this module (source or dist). */
const SHIPPED = (() => {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'templates', 'docs'))) return join(dir, 'templates', 'docs');
  }
  throw new Error(`wazo-config: no templates/docs directory above ${import.meta.dirname}`);
})();

/** A docs template: the project's own `templates/docs/<name>` when it has one, else the shipped one. */
export function readTemplate(root: string, name: string): string {
  const own = join(root, 'templates', 'docs', name);
  return readFileSync(existsSync(own) ? own : join(SHIPPED, name), 'utf8');
}

export function fillTemplate(template: string, name: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, key: string) => {
    if (!Object.hasOwn(values, key)) {
      missing.add(key);
      return whole;
    }
    used.add(key);
    return values[key]!;
  });
  const unused = Object.keys(values).filter((key) => !used.has(key));
  const problems: string[] = [];
  if (missing.size > 0) problems.push(`no value for ${[...missing].map((key) => `{{${key}}}`).join(', ')}`);
  if (unused.length > 0) problems.push(`no placeholder for ${unused.join(', ')}`);
  if (problems.length > 0) throw new Error(`templates/docs/${name}: ${problems.join('; ')}`);
  return text;
}

/** The template's text up to a placeholder (e.g. its headings before a generated section). */
export function templateBefore(template: string, placeholder: string): string {
  const at = template.indexOf(`{{${placeholder}}}`);
  return at < 0 ? template : template.slice(0, at);
}
