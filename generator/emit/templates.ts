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
import { quoted, type Quoted } from '../syntax/quoted.ts';

/** The two folders of frames under `templates/`. */
export type TemplateFolder = 'deploy' | 'docs';

/**
 * Each frame filled with `@{}` slots, and the quoted syntaxes its slots take: the file's own syntax,
 * and `#` comments where the file has them. A value quoted for another syntax does not compile.
 */
interface FrameSlots {
  'service.env': 'env' | 'hash-comment' | 'comment-text';
  'wazo-platform-consul': 'env' | 'hash-comment';
  'service.env.ctmpl': 'go-template';
  'configmap.yaml.ctmpl': 'go-template';
  'secret.yaml.ctmpl': 'go-template';
  'connect-tls.crt.ctmpl': 'go-template';
  'connect-tls.key.ctmpl': 'go-template';
  'connect-ca.crt.ctmpl': 'go-template';
  'connect-tls-secret.yaml.ctmpl': 'go-template';
  'connect-tls.env': 'env' | 'hash-comment' | 'comment-text';
  'consul-template.hcl': 'hcl' | 'hash-comment' | 'comment-text';
  'consul-template-block.hcl': 'hcl' | 'hash-comment' | 'comment-text';
  'envconsul.hcl': 'hcl' | 'hash-comment' | 'comment-text';
  'service-readme.md': 'markdown';
  'index.md': 'markdown';
  'index.html': 'html';
}

export type FrameName = keyof FrameSlots;
/** The values of a frame's slots, each quoted for a syntax the frame takes. */
export type FrameValues<N extends FrameName> = Record<string, Quoted<FrameSlots[N]>>;

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
export function fillTemplate<N extends FrameName>(
  template: string,
  folder: TemplateFolder,
  name: N,
  values: FrameValues<N>,
): Quoted<FrameSlots[N]> {
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
  return quoted(text);
}

/** Reads a frame and fills it: the result is quoted for the frame's syntax (a frame may hold another). */
export function fillFrame<N extends FrameName>(
  root: string,
  folder: TemplateFolder,
  name: N,
  values: FrameValues<N>,
): Quoted<FrameSlots[N]> {
  return fillTemplate(readTemplate(root, folder, name), folder, name, values);
}

/** The template's text up to a placeholder (e.g. its headings before a generated section). */
export function templateBefore(template: string, placeholder: string): string {
  const at = template.indexOf(`@{${placeholder}}`);
  return at < 0 ? template : template.slice(0, at);
}
