/**
 * `<service>/config.schema.json`: the JSON Schema (2020-12) editors use for the service's YAML
 * config files (yaml-language-server, VS Code; docs/editor-support.md). It is the resolved schema
 * with our `x-` keywords turned into description text (env name, Consul key, live or restart,
 * secret) so that any JSON Schema tool accepts it, and no secret's default or examples.
 */
import type { SchemaNode } from '../load.ts';
import { allSettings, type Setting } from '../model.ts';
import { dotted } from '../runtime/tree.ts';
import { bannerText } from '../syntax/banner.ts';
import { forEachSubschema } from '../walk.ts';
import type { Emitter } from './emitter.ts';
import { jsonText } from '../syntax/json.ts';

/** What would show a secret's value: removed from secret keys (validation keywords stay). */
const SECRET_VALUES = ['default', 'examples'];

export const editorSchemaEmitter: Emitter = {
  name: 'editor-schema',
  emit(model) {
    // A JSON copy, not structuredClone: a `$ref` target used twice becomes two objects, each
    // getting its own description.
    const schema = JSON.parse(JSON.stringify(model.schema)) as SchemaNode;
    annotate(schema, model.root);
    forEachSubschema(schema, '', (node) => {
      for (const keyword of Object.keys(node)) if (keyword.startsWith('x-')) delete node[keyword];
    });
    const { $schema, ...rest } = schema;
    const editorSchema = {
      $schema: $schema ?? 'https://json-schema.org/draft/2020-12/schema',
      $comment: bannerText(model.file),
      ...rest,
      description: `${model.description ?? model.title}\n\nFor ${model.configFile} and ${model.configDir}/*.yml; environment variables ${model.envPrefix}_*, Consul keys under ${model.consulPrefix}/.`,
    };
    return [{ path: `${model.name}/config.schema.json`, contents: jsonText(editorSchema) + '\n' }];
  },
};

function annotate(node: SchemaNode, setting: Setting): void {
  if (setting.kind === 'group') {
    const properties = node.properties as Record<string, SchemaNode>;
    for (const child of setting.children) annotate(properties[child.path.at(-1)!]!, child);
    // A group's own default would show its secret keys' values.
    if ([...allSettings(setting)].some((s) => s.secret)) for (const keyword of SECRET_VALUES) delete node[keyword];
    return;
  }
  const facts = [
    setting.mutable ? 'Applied live when changed in Consul.' : 'Needs a restart to apply.',
    `Environment variable ${setting.envName}; Consul key ${setting.consulKey}.`,
  ];
  if (setting.secret)
    facts.push(`Secret: masked in logs and docs${setting.default === undefined ? '' : '; its default is not shown'}.`);
  if (setting.deprecated) facts.push(`Deprecated: ${dotted(setting.path)} is slated for removal.`);
  node.description = [setting.description, facts.join(' ')].filter(Boolean).join('\n\n');
  if (setting.secret) {
    forEachSubschema(node, '', (sub) => {
      for (const keyword of SECRET_VALUES) delete sub[keyword];
    });
  }
}
