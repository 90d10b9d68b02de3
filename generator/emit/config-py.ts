/**
 * `config.py`: the service's Python loader, for the Python runtime `wazo_config` (python/):
 * `TypedDict`s named as config.ts names its interfaces, `Literal` enums, `X | None` for nullable
 * leaves, each key commented with its env name, Consul key and mutability; the settings table; the
 * validator compiled at generate time (python-validator.ts); `load_config`, `resolve_config` and
 * `watch_config`. The config is a plain dict typed as `Config`: `config['rest_api']['port']`.
 */
import { serviceSpecOf, type GroupSetting, type ServiceModel, type Setting } from '../model.ts';
import type { ConnectTlsSpec, SettingSpec } from '../runtime/types.ts';
import { bannerText } from '../syntax/banner.ts';
import { isPyIdentifier, pyDocText, pyLiteral } from '../syntax/python.ts';
import { validationSchemaOf } from '../validation-schema.ts';
import { isNode } from '../walk.ts';
import { alwaysPresent, describe, requiredOf } from './config-ts.ts';
import type { Emitter } from './emitter.ts';
import { pythonValidator } from './python-validator.ts';

/** Names config.py imports: a group type may not take one. */
const IMPORTED = new Set([
  'TYPE_CHECKING',
  'Any',
  'Callable',
  'Literal',
  'Mapping',
  'NotRequired',
  'TypedDict',
  'cast',
  're',
  'ConnectTlsSpec',
  'DiscoverSpec',
  'ServiceSpec',
  'SettingSpec',
  'VE',
  'Resolved',
  'Watcher',
  'WatchHandlers',
]);

export const configPyEmitter: Emitter = {
  name: 'config-py',
  emit(model) {
    return [{ path: `${model.name}/config.py`, contents: configPy(model) }];
  },
};

export function configPy(model: ServiceModel): string {
  const validator = pythonValidator(validationSchemaOf(model.schema), model.file);
  const precedence =
    `schema defaults < ${model.configFile} < ${model.configDir}/*.yml < Consul ${model.consulPrefix}/ ` +
    `< discovered < env ${model.envPrefix}_* < overrides`;
  return [
    `# ${bannerText(model.file)}`,
    `"""${pyDocText(`Typed configuration of ${model.name} (${precedence}).\n\n${model.description ?? model.title}`)}"""`,
    'from __future__ import annotations',
    '',
    'import re',
    'from typing import TYPE_CHECKING, Any, Callable, Literal, NotRequired, TypedDict, cast',
    '',
    'from wazo_config.load import Resolved, resolve_config as _resolve',
    // ConnectTlsSpec only where a group is marked: the other loaders stay as they are.
    `from wazo_config.spec import ${serviceSpecOf(model).connectTls ? 'ConnectTlsSpec, ' : ''}DiscoverSpec, ServiceSpec, SettingSpec`,
    'from wazo_config.spec import ValidationError as VE',
    'from wazo_config.validation import duplicate_items, format_function, is_type, json_equal, multiple_of, pointer_join',
    '',
    'if TYPE_CHECKING:  # the watcher (threads, HTTP) is imported when watch_config is called',
    '    from wazo_config.watch import WatchHandlers, Watcher',
    '',
    ...groupTypes(model.root).flatMap((block) => ['', '', block]),
    '',
    '',
    validator.code,
    '',
    '',
    serviceLiteral(model),
    '',
    '',
    'def load_config(**options: Any) -> Config:',
    `    """${pyDocText(`Loads the ${model.name} configuration (${precedence}); raises ConfigError listing every problem. Options as wazo_config.load.resolve_config takes them: env, config_file, config_dir, confd_order, wazo_compat, consul, wait_for_dependencies, discover, pem_files, sources, overrides, strict, logger.`)}"""`,
    '    return cast(Config, _resolve(SERVICE, **options).config)',
    '',
    '',
    'def resolve_config(**options: Any) -> Resolved:',
    '    """Like load_config, and also tells where every value came from (`resolved.tree.source_of(path)`)."""',
    '    return _resolve(SERVICE, **options)',
    '',
    '',
    'def watch_config(config: Config, handlers: WatchHandlers | None = None, **options: Any) -> Watcher:',
    `    """${pyDocText(
      `Watches Consul ${model.consulPrefix}/ with one blocking query in a daemon thread (and SIGHUP for the files): each change re-reads and re-validates the whole configuration as load_config does (pass the same options); mutable keys are applied to \`config\` in place (\`change\`), restart-only keys give \`restart_required\` and, by default, an exit with code 75 after 5 s; an invalid change gives \`invalid\` and keeps the last good configuration. See docs/python.md.`,
    )}"""`,
    '    from wazo_config.watch import watch',
    '',
    '    return watch(SERVICE, cast(dict[str, Any], config), handlers, **options)',
    '',
  ].join('\n');
}

/** The TypedDicts, nested groups first (a functional TypedDict needs its parts defined). */
function groupTypes(group: GroupSetting): string[] {
  const blocks = group.children.filter((c): c is GroupSetting => c.kind === 'group').flatMap(groupTypes);
  if (IMPORTED.has(group.typeName))
    throw new Error(
      `the group ${group.path.join('.') || '(root)'} is named ${group.typeName}, a name config.py imports`,
    );
  const required = requiredOf(group);
  const keys = group.children.map((child) => {
    const key = child.path[child.path.length - 1]!;
    const type = child.kind === 'group' ? child.typeName : leafType(child.schema);
    const comments = commentLines(child);
    return { key, type: alwaysPresent(child, required) ? type : `NotRequired[${type}]`, comments };
  });
  const doc = group.description ? `"""${pyDocText(group.description)}"""` : undefined;
  if (keys.every((k) => isPyIdentifier(k.key))) {
    const body = keys.flatMap((k) => [...k.comments.map((c) => `    ${c}`), `    ${k.key}: ${k.type}`]);
    return [
      ...blocks,
      [
        `class ${group.typeName}(TypedDict):`,
        ...(doc ? [`    ${doc}`, ''] : []),
        ...(body.length ? body : ['    pass']),
      ].join('\n'),
    ];
  }
  const entries = keys.flatMap((k) => [
    ...k.comments.map((c) => `        ${c}`),
    `        ${pyLiteral(k.key)}: ${k.type},`,
  ]);
  const comment = group.description ? [`#: ${oneLine(group.description)}`] : [];
  return [
    ...blocks,
    [
      ...comment,
      `${group.typeName} = TypedDict(`,
      `    ${pyLiteral(group.typeName)},`,
      '    {',
      ...entries,
      '    },',
      ')',
    ].join('\n'),
  ];
}

function commentLines(setting: Setting): string[] {
  if (setting.kind === 'group') return [];
  return describe(setting)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `#: ${line}`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

const SCALAR: Record<string, string> = {
  string: 'str',
  integer: 'int',
  number: 'float',
  boolean: 'bool',
  null: 'None',
};

/** The Python type of a leaf's schema: what the loader gives after validation. */
export function leafType(node: unknown): string {
  if (!isNode(node)) return 'Any';
  const values = Array.isArray(node.enum) ? node.enum : 'const' in node ? [node.const] : undefined;
  if (values) {
    const literal = values.filter(
      (v) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v)),
    );
    const rest = values.filter((v) => !literal.includes(v));
    if (rest.every((v) => v === null)) {
      const parts = literal.length ? [`Literal[${literal.map((v) => pyLiteral(v)).join(', ')}]`] : [];
      if (rest.length) parts.push('None');
      if (parts.length) return parts.join(' | ');
    }
  }
  const types = typeof node.type === 'string' ? [node.type] : Array.isArray(node.type) ? (node.type as string[]) : [];
  if (types.length === 0) return 'Any';
  const parts = types.map((t) => {
    if (t === 'array') return `list[${isNode(node.items) ? leafType(node.items) : 'Any'}]`;
    if (t === 'object')
      return isNode(node.additionalProperties) && !isNode(node.properties)
        ? `dict[str, ${leafType(node.additionalProperties)}]`
        : 'dict[str, Any]';
    return SCALAR[t] ?? 'Any';
  });
  return [...new Set(parts)].join(' | ');
}

/** The settings table: one SettingSpec per line, as config.ts writes its rows. */
function serviceLiteral(model: ServiceModel): string {
  const spec = serviceSpecOf(model);
  const fields = [
    `    name=${pyLiteral(spec.name)},`,
    `    env_prefix=${pyLiteral(spec.envPrefix)},`,
    `    consul_prefix=${pyLiteral(spec.consulPrefix)},`,
    `    config_file=${pyLiteral(spec.configFile)},`,
    `    config_dir=${pyLiteral(spec.configDir)},`,
    `    depends_on=${pyLiteral(spec.dependsOn ?? [], true)},`,
    `    discover=(${(spec.discover ?? []).map((d) => `DiscoverSpec(${pyLiteral(d.path, true)}, ${pyLiteral(d.service)})`).join(', ')}${spec.discover?.length === 1 ? ',' : ''}),`,
    ...(spec.connectTls ? [`    connect_tls=${connectTlsLiteral(spec.connectTls)},`] : []),
    '    settings=(',
    ...spec.settings.map((row) => `        ${settingLiteral(row)},`),
    '    ),',
    '    validate=_validate,',
  ];
  return [
    '#: Everything the runtime knows of this service: locations and one row per setting.',
    'SERVICE = ServiceSpec(',
    ...fields,
    ')',
  ].join('\n');
}

/** The group marked `x-connect-tls`: which leaves get the Connect files' paths (docs/tls.md). */
function connectTlsLiteral(spec: ConnectTlsSpec): string {
  const args = [spec.path, spec.certificate, spec.privateKey, ...(spec.ca ? [spec.ca] : [])];
  return `ConnectTlsSpec(${args.map((path) => pyLiteral(path, true)).join(', ')})`;
}

function settingLiteral(row: SettingSpec): string {
  const args = [
    `${pyLiteral(row.path, true)}`,
    pyLiteral(row.env),
    pyLiteral(row.consulKey),
    pyLiteral(row.types, true),
  ];
  if (row.mutable) args.push('mutable=True');
  if (row.secret) args.push('secret=True');
  if (row.itemTypes) args.push(`item_types=${pyLiteral(row.itemTypes, true)}`);
  if (row.default !== undefined) args.push('has_default=True', `default=${pyLiteral(row.default)}`);
  if (row.enum) args.push(`enum=${pyLiteral(row.enum, true)}`);
  if (row.pem) args.push('pem=True');
  if (row.required) args.push('required=True');
  return `SettingSpec(${args.join(', ')})`;
}
