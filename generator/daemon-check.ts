/**
 * Generate-time checks of `x-service.render`, `reload` and `check` (docs/exec.md), beyond what the
 * meta-schema sees: template files exist and compile, `from` and `omit` name real settings, every
 * template (files, reload command, check) renders against the schema's defaults without an unknown
 * name, and no two rendered files share a name (`--render-dir` puts them side by side).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { allSettings, type ServiceModel } from './model.ts';
import type { SchemaProblem } from './schema-problems.ts';
import { renderFile, renderString, TemplateError } from './runtime/render/templates.ts';
import type { JsonObject, JsonValue, ValueType } from './runtime/types.ts';

const SAMPLES: Record<ValueType, JsonValue> = {
  string: 'x',
  integer: 1,
  number: 1,
  boolean: true,
  null: null,
  array: [],
  map: {},
};

/** The defaults, and a value of the leaf's first type where the schema gives none: what templates are tried with. */
export function sampleConfig(model: ServiceModel): JsonObject {
  const root: JsonObject = {};
  for (const leaf of model.leaves) {
    let node = root;
    for (const segment of leaf.path.slice(0, -1)) node = (node[segment] ??= {}) as JsonObject;
    node[leaf.path.at(-1)!] = leaf.default !== undefined ? leaf.default : SAMPLES[leaf.types[0] ?? 'string'];
  }
  return root;
}

export function checkDaemon(model: ServiceModel, root: string): SchemaProblem[] {
  const daemon = model.daemon;
  if (!daemon) return [];
  const problems: SchemaProblem[] = [];
  const at = (pointer: string, message: string, hint: string) =>
    problems.push({ file: model.file, pointer: `/x-service${pointer}`, message, hint });
  const sample = sampleConfig(model);
  const groups = new Map(
    [...allSettings(model.root)].filter((s) => s.kind === 'group').map((g) => [g.path.join('.'), g]),
  );
  const names = new Map<string, number>();
  const directory = dirname(resolve(root, model.file));

  daemon.render.forEach((render, i) => {
    const earlier = names.get(basename(render.path));
    if (earlier !== undefined)
      at(
        `/render/${i}/path`,
        `two rendered files are both named ${basename(render.path)} (also #/x-service/render/${earlier}/path)`,
        'give each rendered file its own name: --render-dir writes them side by side',
      );
    else names.set(basename(render.path), i);
    const from = groups.get(render.from ?? '');
    if (!from) {
      at(
        `/render/${i}/from`,
        `from ${JSON.stringify(render.from)} names no group of settings`,
        `one of: ${[...groups.keys()].filter(Boolean).join(', ') || '(none)'}`,
      );
    } else {
      for (const [j, key] of (render.omit ?? []).entries()) {
        if (!from.children.some((c) => c.path.at(-1) === key))
          at(
            `/render/${i}/omit/${j}`,
            `omit ${JSON.stringify(key)} names no key under ${render.from ?? 'the root'}`,
            'name a key the rendered group has',
          );
      }
    }
    if (render.template !== undefined) {
      const file = resolve(directory, render.template);
      if (!existsSync(file))
        at(`/render/${i}/template`, `template file ${file} does not exist`, 'the path is relative to the schema file');
      else tryTemplate(() => renderFile(directory, render.template!, sample), `/render/${i}/template`);
    }
  });
  daemon.reload?.command?.forEach((arg, i) => tryTemplate(() => renderString(arg, sample), `/reload/command/${i}`));
  const check = daemon.check;
  if (check?.tcp) {
    tryTemplate(() => renderString(check.tcp!.host, sample), '/check/tcp/host');
    tryTemplate(() => {
      const port = renderString(check.tcp!.port, sample);
      if (!/^\d+$/.test(port.trim()))
        throw new TemplateError(`renders to ${JSON.stringify(port)} with the defaults, not a port number`);
    }, '/check/tcp/port');
  }
  if (check?.http) tryTemplate(() => renderString(check.http!.url, sample), '/check/http/url');
  check?.command?.forEach((arg, i) => tryTemplate(() => renderString(arg, sample), `/check/command/${i}`));
  return problems;

  function tryTemplate(render: () => unknown, pointer: string): void {
    try {
      render();
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      at(
        pointer,
        `the template does not render with the schema's defaults: ${error.message}`,
        'templates use Nunjucks (Jinja2) syntax over the settings, e.g. {{ port }} (docs/exec.md)',
      );
    }
  }
}
