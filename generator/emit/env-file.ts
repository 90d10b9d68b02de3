/**
 * `<service>.env` (every setting, documented, for systemd `EnvironmentFile=` and docker-compose
 * `env_file:`) and `<service>.env.ctmpl` (consul-template renders that same file from Consul KV).
 * Both are built from the same entries, so a render of the template with the schema defaults in
 * Consul is the example file, line for line.
 */
import type { LeafSetting, ServiceModel } from '../model.ts';
import { describeTypes } from '../runtime/codec.ts';
import { dotted } from '../runtime/tree.ts';
import { banner } from '../syntax/banner.ts';
import { envFileValue, envLine, hashComment } from '../syntax/env.ts';
import { commentText, goTag, joinQuoted, type Quoted } from '../syntax/quoted.ts';
import { checkDefines, kvBranch, templateText } from '../syntax/gotemplate.ts';
import type { Emitter } from './emitter.ts';
import { defaultText, warnLeftOut } from './default-text.ts';
import { templateKeyProblems } from './template-keys.ts';
import { fillFrame } from './templates.ts';

export interface EnvEntry {
  leaf: LeafSetting;
  /** `#` lines: what the setting is, its type, default and whether a change needs a restart. */
  comment: Quoted<'hash-comment'>;
  /** The example's assignment: `NAME='default'`, or `# NAME=` when it sets nothing. */
  line: Quoted<'env'>;
}

export function envFileName(model: ServiceModel): string {
  return `${model.name}.env`;
}

export function envEntries(model: ServiceModel, warn = true): EnvEntry[] {
  return model.leaves.map((leaf) => {
    const notes: string[] = [];
    let line = envLine(leaf.envName, 'commented-out');
    const text = defaultText(leaf);
    if (leaf.secret)
      notes.push(
        'Secret: never written from the schema default; unset, the default (if any) applies. Keep this file readable by the service only.',
      );
    else if (text !== undefined) {
      const quoted = envFileValue(leaf.envName, text);
      if (quoted.ok) line = envLine(leaf.envName, quoted.text);
      else {
        notes.push(`The default cannot be written in an env file (${quoted.reason}); unset, the loader applies it.`);
        if (warn) warnLeftOut(model, leaf, envFileName(model), `cannot be written in an env file (${quoted.reason})`);
      }
    }
    const type = leaf.enum ? `one of ${leaf.enum.map((v) => JSON.stringify(v)).join(', ')}` : describeTypes(leaf);
    const facts = [dotted(leaf.path), type, defaultFact(leaf), leaf.mutable ? 'applied live' : 'restart to apply'];
    const comment = hashComment([leaf.description ?? '', facts.join(' · '), ...notes].filter(Boolean).join('\n'));
    return { leaf, comment, line };
  });
}

function defaultFact(leaf: LeafSetting): string {
  if (leaf.required)
    return 'REQUIRED: no default, the service does not start until it is set (here, in Consul or in a config file)';
  if (leaf.default === undefined) return 'no default';
  if (leaf.secret) return 'default hidden (secret)';
  return `default ${JSON.stringify(leaf.default)}`;
}

export const envFileEmitter: Emitter = {
  name: 'env-file',
  emit(model, { root }) {
    const settings = envEntries(model).map((entry) => joinQuoted<'env' | 'hash-comment'>([entry.comment, entry.line]));
    const contents = fillFrame(root, 'deploy', 'service.env', {
      banner: banner.hash(model.file),
      service: commentText(model.name),
      settings: joinQuoted(settings, '\n\n'),
    });
    return [{ path: `${model.name}/${envFileName(model)}`, contents }];
  },
};

export const envTemplateEmitter: Emitter = {
  name: 'env-ctmpl',
  check: templateKeyProblems,
  emit(model, { root }) {
    const settings = envEntries(model, false).map(({ leaf, comment, line }) => {
      const branch = kvBranch({
        key: leaf.consulKey,
        name: leaf.envName,
        check: 'envFile',
        present: (value) => goTag`${templateText(`${leaf.envName}=`)}${value}`,
        absent: templateText(line),
      });
      return goTag`${templateText(comment)}${branch}`;
    });
    const contents = fillFrame(root, 'deploy', 'service.env.ctmpl', {
      banner: banner.goTemplate(model.file),
      checks: checkDefines(['envFile']),
      service: templateText(commentText(model.name)),
      prefix: templateText(commentText(model.consulPrefix)),
      file: templateText(commentText(envFileName(model))),
      settings: joinQuoted(settings, '\n\n'),
    });
    return [{ path: `${model.name}/${envFileName(model)}.ctmpl`, contents }];
  },
};
