/**
 * The text frames the emitters fill: `templates/deploy/<name>` (deployment artifacts) and
 * `templates/docs/<name>` (documentation) — the project's own when it has one, else the one shipped
 * with wazo-config. A frame's placeholders are `@{name}` (not `{{ }}`: the `.ctmpl` frames are Go
 * templates), filled in one pass with text already quoted by a generator/syntax helper, so a filled-in
 * value is never read as a placeholder. A placeholder without a value, or a value without a
 * placeholder, is an error naming both: the frame and its emitter must agree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Quoted } from '../syntax/quoted.ts';

/** The two folders of frames under `templates/`. */
export type TemplateFolder = 'deploy' | 'docs';

const PLACEHOLDER = /@\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The templates wazo-config ships: the nearest `templates/` above this module (source or dist). */
let shipped: string | undefined;
function shippedTemplates(): string {
  if (shipped !== undefined) return shipped;
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'templates', 'docs'))) return (shipped = join(dir, 'templates'));
  }
  throw new Error(`wazo-config: no templates directory above ${import.meta.dirname}`);
}

/** A frame: the project's own `templates/<folder>/<name>` when it has one, else the shipped one. */
export function readTemplate(root: string, folder: TemplateFolder, name: string): string {
  const own = join(root, 'templates', folder, name);
  return readFileSync(existsSync(own) ? own : join(shippedTemplates(), folder, name), 'utf8');
}

/** Fills `template` (named `templates/<folder>/<name>` in errors) with `values`, each placeholder once. */
export function fillTemplate(
  template: string,
  folder: TemplateFolder,
  name: string,
  values: Record<string, string>,
): string {
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
  if (missing.size > 0) problems.push(`no value for ${[...missing].map((key) => `@{${key}}`).join(', ')}`);
  if (unused.length > 0) problems.push(`no placeholder for ${unused.map((key) => `@{${key}}`).join(', ')}`);
  if (problems.length > 0) throw new Error(`templates/${folder}/${name}: ${problems.join('; ')}`);
  return text;
}

/** Reads a frame and fills it. */
export function fillFrame(root: string, folder: TemplateFolder, name: string, values: Record<string, string>): string {
  return fillTemplate(readTemplate(root, folder, name), folder, name, values);
}

/** Reads a frame whose every slot takes quoted text: a plain string is refused at compile time. */
export function fillQuotedFrame(
  root: string,
  folder: TemplateFolder,
  name: string,
  values: Record<string, Quoted>,
): string {
  return fillFrame(root, folder, name, values);
}

/** The template's text up to a placeholder (e.g. its headings before a generated section). */
export function templateBefore(template: string, placeholder: string): string {
  const at = template.indexOf(`@{${placeholder}}`);
  return at < 0 ? template : template.slice(0, at);
}
