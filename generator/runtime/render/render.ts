/**
 * `x-service.render` → files: each render's text from a built-in writer or a template, then the
 * atomic write (a temp file in the same directory, its mode set before the rename, then rename),
 * so a daemon reading the file sees the old whole or the new whole, never a part. Every refusal
 * of every file is gathered before anything is written: a configuration that cannot be rendered
 * writes nothing, and the files on disk stay the last good ones.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { showValue, type Problem } from '../problems.ts';
import { dotted, getAt } from '../tree.ts';
import type { JsonObject, ServiceSpec, SettingSpec } from '../types.ts';
import { WRITERS, type Entry } from './formats.ts';
import type { DaemonSpec, RenderSpec } from './spec.ts';
import { renderFile, TemplateError } from './templates.ts';

export interface RenderedFile {
  spec: RenderSpec;
  /** Where it is written (the spec's path, or under `renderDir`). */
  path: string;
  mode: number;
  text: string;
}

export interface RenderOptions {
  /** The project root: templates are found next to the schema file. */
  root: string;
  /** Write every file as `<renderDir>/<basename of its path>` instead of its path. */
  renderDir?: string;
  /** Where a key's value came from, for messages. */
  sourceOf?: (path: readonly string[]) => string;
}

export type RenderResult = { ok: true; files: RenderedFile[] } | { ok: false; problems: Problem[] };

/** The settings a render writes: those under `from`, minus the `omit`ted keys. */
export function settingsOf(service: ServiceSpec, spec: RenderSpec): SettingSpec[] {
  const from = spec.from ? spec.from.split('.') : [];
  const omit = new Set(spec.omit ?? []);
  return service.settings.filter(
    (s) => s.path.length > from.length && from.every((seg, i) => s.path[i] === seg) && !omit.has(s.path[from.length]!),
  );
}

export function targetPath(spec: RenderSpec, renderDir: string | undefined): string {
  return renderDir ? join(resolve(renderDir), basename(spec.path)) : spec.path;
}

export function renderAll(
  service: ServiceSpec,
  daemon: DaemonSpec,
  config: JsonObject,
  options: RenderOptions,
): RenderResult {
  const files: RenderedFile[] = [];
  const problems: Problem[] = [];
  const sourceOf = options.sourceOf ?? (() => 'configuration');
  for (const spec of daemon.render) {
    const path = targetPath(spec, options.renderDir);
    const settings = spec.template ? service.settings : settingsOf(service, spec);
    const mode = spec.mode !== undefined ? parseInt(spec.mode, 8) : settings.some((s) => s.secret) ? 0o600 : 0o644;
    if (spec.format) {
      const from = spec.from ? spec.from.split('.').length : 0;
      const entries: Entry[] = settings.flatMap((setting) => {
        const value = getAt(config, setting.path);
        return value === undefined ? [] : [{ setting, rel: setting.path.slice(from), value }];
      });
      const written = WRITERS[spec.format](entries);
      for (const refusal of written.refusals) {
        const setting = settings.find((s) => dotted(s.path) === refusal.key)!;
        problems.push({
          key: refusal.key,
          source: sourceOf(setting.path),
          message: `cannot be written to ${path} (${spec.format}): ${refusal.reason}`,
          value: showValue(getAt(config, setting.path), setting.secret),
          hint: `a ${spec.format} file cannot carry it (docs/exec.md "Formats")`,
        });
      }
      files.push({ spec, path, mode, text: written.text });
    } else {
      try {
        const directory = dirname(resolve(options.root, daemon.schemaFile));
        files.push({ spec, path, mode, text: renderFile(directory, spec.template!, config) });
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        problems.push({
          key: path,
          source: `template ${spec.template}`,
          message: error.message,
          hint: 'fix the template or the value it refuses',
        });
      }
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, files };
}

/** Writes the file atomically when its text or mode differs from what is there; returns whether it wrote. */
export function writeAtomic(file: RenderedFile): boolean {
  if (unchanged(file)) return false;
  mkdirSync(dirname(file.path), { recursive: true });
  const temp = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', file.mode);
  try {
    writeSync(fd, file.text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    // The umask may have narrowed the mode given to open(); the file has its mode before anyone can open it by name.
    chmodSync(temp, file.mode);
    renameSync(temp, file.path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return true;
}

function unchanged(file: RenderedFile): boolean {
  try {
    return (statSync(file.path).mode & 0o777) === file.mode && readFileSync(file.path, 'utf8') === file.text;
  } catch {
    return false;
  }
}
