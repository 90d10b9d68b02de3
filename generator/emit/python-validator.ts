/**
 * The validator of a generated config.py: the service's validation schema compiled at generate
 * time into plain Python functions, which report failures shaped as ajv's (instance path, keyword,
 * params) so that both runtimes word the same problems the same way. Keywords are checked in ajv's
 * order (type-independent keywords, then number, string, array and object ones), and a single
 * `type` that has keywords of its own is reported where ajv reports it, after the others.
 * A schema keyword this compiler does not know is a generate-time error, never a silent pass.
 */
import formatsModule from 'ajv-formats/dist/formats.js';
import type { SchemaNode } from '../load.ts';
import { pyLiteral, pyRegex } from '../syntax/python.ts';
import { escapePointer } from '../runtime/tree.ts';
import { isNode } from '../walk.ts';

const fullFormats = formatsModule.fullFormats as Record<string, unknown>;

/** What a node may hold besides validation keywords. */
const IGNORED = new Set(['$defs', 'definitions', '$id', '$anchor', '$comment', '$schema']);

const GROUPS = {
  number: ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum', 'multipleOf'],
  string: ['maxLength', 'minLength', 'pattern'],
  array: ['maxItems', 'minItems', 'uniqueItems', 'prefixItems', 'items'],
  object: [
    'maxProperties',
    'minProperties',
    'required',
    'dependentRequired',
    'propertyNames',
    'additionalProperties',
    'properties',
    'patternProperties',
  ],
} as const;
type Group = keyof typeof GROUPS;
const TYPELESS = ['const', 'enum', 'not', 'anyOf', 'oneOf', 'allOf'];
const KNOWN = new Set<string>(['type', 'format', ...TYPELESS, ...Object.values(GROUPS).flat()]);

const CHECK: Record<string, (v: string) => string> = {
  string: (v) => `isinstance(${v}, str)`,
  object: (v) => `isinstance(${v}, dict)`,
  array: (v) => `isinstance(${v}, list)`,
  boolean: (v) => `isinstance(${v}, bool)`,
  null: (v) => `${v} is None`,
  number: (v) => `is_type(${v}, "number")`,
  integer: (v) => `is_type(${v}, "integer")`,
};

export interface PythonValidator {
  /** Module-level constants and functions, then `_validate`. */
  code: string;
}

export function pythonValidator(schema: SchemaNode, where: string): PythonValidator {
  const functions: string[] = [];
  const constants: string[] = [];
  const compiled = new Map<unknown, string>();
  const formats = new Map<string, string>();

  /** Module constants, one per distinct expression (so that leaves with equal checks share a function too). */
  const constantNames = new Map<string, string>();
  const constant = (prefix: string, expression: string, annotation?: string): string => {
    const declared = `${annotation ? `: ${annotation}` : ''} = ${expression}`;
    let name = constantNames.get(prefix + declared);
    if (!name) {
      name = `_${prefix}${constants.length}`;
      constantNames.set(prefix + declared, name);
      constants.push(`${name}${declared}`);
    }
    return name;
  };
  /** A one-line check as a typed function (mypy --strict wants no untyped lambda). */
  const check = (prefix: string, body: string): string => {
    const name = `_${prefix}${constants.length}`;
    constants.push(`\n\ndef ${name}(v: Any) -> bool:\n    return ${body}\n\n`);
    return name;
  };
  const error = (indent: string, keyword: string, params: string, message: string, at = 'at') =>
    `${indent}e.append(VE(${at}, ${pyLiteral(keyword)}, ${params}, ${message}))`;

  const formatCheck = (name: string): { call: string; number: boolean } => {
    const format = fullFormats[name];
    if (format === undefined) throw new Error(`${where}: unknown format ${name}`);
    let fn = formats.get(name);
    const isNumber = isNode(format) && (format as { type?: string }).type === 'number';
    if (!fn) {
      const definition = isNode(format) && 'validate' in format ? (format as { validate: unknown }).validate : format;
      if (definition instanceof RegExp) {
        const flags = definition.flags.includes('i') ? ', re.IGNORECASE' : '';
        const regex = constant('F', `re.compile(${pyLiteral(pyRegex(definition.source))}${flags})`);
        fn = check('F', `${regex}.search(v) is not None`);
      } else if (definition === true) fn = check('F', 'True');
      else fn = constant('F', `format_function(${pyLiteral(name)})`);
      formats.set(name, fn);
    }
    return { call: fn, number: isNumber };
  };

  /** Function names by body: the many leaves with the same checks share one function. */
  const byBody = new Map<string, string>();
  const compile = (node: unknown, pointer: string): string => {
    const seen = compiled.get(node);
    if (seen) return seen;
    const lines: string[] = [];
    if (node === false) lines.push(error('    ', 'false schema', '{}', '"boolean schema is false"'));
    else if (isNode(node)) lines.push(...keywords(node, pointer));
    const body = lines.length ? lines.join('\n') : '    pass';
    let name = byBody.get(body);
    if (!name) {
      name = `_v${byBody.size}`;
      byBody.set(body, name);
      functions.push(`def ${name}(d: Any, at: str, e: list[VE]) -> None:\n${body}`);
    }
    compiled.set(node, name);
    return name;
  };

  const keywords = (node: SchemaNode, pointer: string): string[] => {
    for (const key of Object.keys(node)) {
      if (!KNOWN.has(key) && !IGNORED.has(key))
        throw new Error(`${where}#${pointer}: the Python validator does not support the keyword ${key}`);
    }
    const lines: string[] = [];
    const types = typeof node.type === 'string' ? [node.type] : Array.isArray(node.type) ? (node.type as string[]) : [];
    const groupOf = (group: Group) =>
      GROUPS[group].some((k) => k in node) ||
      ((group === 'string' || group === 'number') && formatGroup(node) === group);
    const deferred =
      types.length === 1 && types[0]! in GROUPS && groupOf(types[0] as Group) ? (types[0] as Group) : undefined;
    const typeError = (indent: string) =>
      error(indent, 'type', `{"type": ${pyLiteral(node.type)}}`, pyLiteral(`must be ${types.join(',')}`));
    if (types.length > 0 && !deferred) {
      lines.push(`    if not (${types.map((t) => CHECK[t]!('d')).join(' or ')}):`, typeError('        '));
    }
    if ('const' in node) {
      const value = constant('C', pyLiteral(node.const));
      lines.push(
        `    if not json_equal(d, ${value}):`,
        error('        ', 'const', `{"allowedValue": ${value}}`, '"must be equal to constant"'),
      );
    }
    if (Array.isArray(node.enum)) {
      const strings = node.enum.every((v) => typeof v === 'string');
      const values = constant('E', strings ? `frozenset(${pyLiteral(node.enum)})` : pyLiteral(node.enum));
      const test = strings
        ? `not (isinstance(d, str) and d in ${values})`
        : `not any(json_equal(d, v) for v in ${values})`;
      const allowed = strings ? pyLiteral(node.enum) : values;
      lines.push(
        `    if ${test}:`,
        error('        ', 'enum', `{"allowedValues": ${allowed}}`, '"must be equal to one of the allowed values"'),
      );
    }
    if ('not' in node) {
      const sub = compile(node.not, `${pointer}/not`);
      lines.push(`    if not _errors_of(${sub}, d, at):`, error('        ', 'not', '{}', '"must NOT be valid"'));
    }
    for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
      const branches = node[keyword];
      if (!Array.isArray(branches)) continue;
      const subs = branches.map((b, i) => compile(b, `${pointer}/${keyword}/${i}`));
      if (keyword === 'allOf') subs.forEach((s) => lines.push(`    ${s}(d, at, e)`));
      else {
        lines.push(`    branches = [_errors_of(f, d, at) for f in (${subs.join(', ')},)]`);
        lines.push(`    passing = [i for i, b in enumerate(branches) if not b]`);
        if (keyword === 'anyOf') {
          lines.push(
            '    if not passing:',
            '        e.extend(x for b in branches for x in b)',
            error('        ', 'anyOf', '{}', '"must match a schema in anyOf"'),
          );
        } else {
          lines.push('    if len(passing) != 1:', '        e.extend(x for b in branches for x in b)');
          lines.push(
            error(
              '        ',
              'oneOf',
              '{"passingSchemas": passing or None}',
              '"must match exactly one schema in oneOf"',
            ),
          );
        }
      }
    }
    for (const group of Object.keys(GROUPS) as Group[]) {
      if (!groupOf(group)) continue;
      lines.push(`    if ${CHECK[group]!('d')}:`);
      lines.push(...groupKeywords(node, group, pointer));
      if (deferred === group) lines.push('    else:', typeError('        '));
    }
    return lines;
  };

  const formatGroup = (node: SchemaNode): Group | undefined =>
    typeof node.format === 'string' ? (formatCheck(node.format).number ? 'number' : 'string') : undefined;

  const groupKeywords = (node: SchemaNode, group: Group, pointer: string): string[] => {
    const i = '        ';
    const lines: string[] = [];
    const limit = (keyword: string, test: string, params: string, message: string) => {
      lines.push(`${i}if ${test}:`, error(i + '    ', keyword, params, pyLiteral(message)));
    };
    const n = (k: string) => pyLiteral(node[k]);
    if (group === 'number') {
      const comparisons = { maximum: '>', minimum: '<', exclusiveMaximum: '>=', exclusiveMinimum: '<=' } as const;
      const ajvWords = { maximum: '<=', minimum: '>=', exclusiveMaximum: '<', exclusiveMinimum: '>' } as const;
      for (const k of Object.keys(comparisons) as (keyof typeof comparisons)[]) {
        if (typeof node[k] === 'number')
          limit(
            k,
            `d ${comparisons[k]} ${n(k)}`,
            `{"comparison": ${pyLiteral(ajvWords[k])}, "limit": ${n(k)}}`,
            `must be ${ajvWords[k]} ${String(node[k])}`,
          );
      }
      if (typeof node.multipleOf === 'number')
        limit(
          'multipleOf',
          `not multiple_of(d, ${n('multipleOf')})`,
          `{"multipleOf": ${n('multipleOf')}}`,
          `must be multiple of ${String(node.multipleOf)}`,
        );
    }
    if (group === 'string') {
      if (typeof node.maxLength === 'number')
        limit(
          'maxLength',
          `len(d) > ${n('maxLength')}`,
          `{"limit": ${n('maxLength')}}`,
          `must NOT have more than ${String(node.maxLength)} characters`,
        );
      if (typeof node.minLength === 'number')
        limit(
          'minLength',
          `len(d) < ${n('minLength')}`,
          `{"limit": ${n('minLength')}}`,
          `must NOT have fewer than ${String(node.minLength)} characters`,
        );
      if (typeof node.pattern === 'string') {
        const regex = constant('P', `re.compile(${pyLiteral(pyRegex(node.pattern))})`);
        limit(
          'pattern',
          `${regex}.search(d) is None`,
          `{"pattern": ${n('pattern')}}`,
          `must match pattern "${node.pattern}"`,
        );
      }
    }
    if (typeof node.format === 'string' && formatGroup(node) === group) {
      const { call } = formatCheck(node.format);
      limit('format', `not ${call}(d)`, `{"format": ${n('format')}}`, `must match format "${node.format}"`);
    }
    if (group === 'array') {
      if (typeof node.maxItems === 'number')
        limit(
          'maxItems',
          `len(d) > ${n('maxItems')}`,
          `{"limit": ${n('maxItems')}}`,
          `must NOT have more than ${String(node.maxItems)} items`,
        );
      if (typeof node.minItems === 'number')
        limit(
          'minItems',
          `len(d) < ${n('minItems')}`,
          `{"limit": ${n('minItems')}}`,
          `must NOT have fewer than ${String(node.minItems)} items`,
        );
      if (node.uniqueItems === true) {
        lines.push(`${i}pair = duplicate_items(d)`, `${i}if pair is not None:`);
        lines.push(
          error(
            i + '    ',
            'uniqueItems',
            '{"i": pair[1], "j": pair[0]}',
            'f"must NOT have duplicate items (items ## {pair[0]} and {pair[1]} are identical)"',
          ),
        );
      }
      const prefix = Array.isArray(node.prefixItems) ? node.prefixItems : [];
      prefix.forEach((item, k) => {
        const sub = compile(item, `${pointer}/prefixItems/${k}`);
        lines.push(`${i}if len(d) > ${k}:`, `${i}    ${sub}(d[${k}], at + "/${k}", e)`);
      });
      if (node.items === false)
        limit(
          'items',
          `len(d) > ${prefix.length}`,
          `{"limit": ${prefix.length}}`,
          `must NOT have more than ${prefix.length} items`,
        );
      else if (node.items !== undefined && node.items !== true) {
        const sub = compile(node.items, `${pointer}/items`);
        lines.push(`${i}for k in range(${prefix.length}, len(d)):`, `${i}    ${sub}(d[k], f"{at}/{k}", e)`);
      }
    }
    if (group === 'object') {
      if (typeof node.maxProperties === 'number')
        limit(
          'maxProperties',
          `len(d) > ${n('maxProperties')}`,
          `{"limit": ${n('maxProperties')}}`,
          `must NOT have more than ${String(node.maxProperties)} properties`,
        );
      if (typeof node.minProperties === 'number')
        limit(
          'minProperties',
          `len(d) < ${n('minProperties')}`,
          `{"limit": ${n('minProperties')}}`,
          `must NOT have fewer than ${String(node.minProperties)} properties`,
        );
      if (Array.isArray(node.required) && node.required.length > 0) {
        lines.push(`${i}for name in ${pyLiteral(node.required, true)}:`, `${i}    if name not in d:`);
        lines.push(
          error(i + '        ', 'required', '{"missingProperty": name}', `f"must have required property '{name}'"`),
        );
      }
      if (isNode(node.dependentRequired)) {
        for (const [property, deps] of Object.entries(node.dependentRequired)) {
          const list = pyLiteral(deps, true);
          lines.push(
            `${i}if ${pyLiteral(property)} in d:`,
            `${i}    for name in ${list}:`,
            `${i}        if name not in d:`,
          );
          lines.push(
            error(
              i + '            ',
              'dependentRequired',
              `{"property": ${pyLiteral(property)}, "missingProperty": name}`,
              `f"must have property {name} when property ${property.replaceAll('{', '{{').replaceAll('}', '}}')} is present"`,
            ),
          );
        }
      }
      if ('propertyNames' in node) {
        const sub = compile(node.propertyNames, `${pointer}/propertyNames`);
        lines.push(
          `${i}for key in d:`,
          `${i}    if _errors_of(${sub}, key, at):`,
          error(i + '        ', 'propertyNames', '{"propertyName": key}', '"property name must be valid"'),
        );
      }
      const properties = isNode(node.properties) ? node.properties : {};
      const patterns = isNode(node.patternProperties) ? Object.entries(node.patternProperties) : [];
      const patternNames = patterns.map(([p]) => constant('P', `re.compile(${pyLiteral(pyRegex(p))})`));
      if ('additionalProperties' in node && node.additionalProperties !== true) {
        const known = constant('K', `frozenset(${pyLiteral(Object.keys(properties))})`, 'frozenset[str]');
        const matches = patternNames.map((p) => ` and ${p}.search(key) is None`).join('');
        lines.push(`${i}for key in d:`, `${i}    if key not in ${known}${matches}:`);
        if (node.additionalProperties === false)
          lines.push(
            error(
              i + '        ',
              'additionalProperties',
              '{"additionalProperty": key}',
              '"must NOT have additional properties"',
            ),
          );
        else
          lines.push(
            `${i}        ${compile(node.additionalProperties, `${pointer}/additionalProperties`)}(d[key], pointer_join(at, key), e)`,
          );
      }
      for (const [key, sub] of Object.entries(properties)) {
        const fn = compile(sub, `${pointer}/properties/${escapePointer(key)}`);
        lines.push(
          `${i}if ${pyLiteral(key)} in d:`,
          `${i}    ${fn}(d[${pyLiteral(key)}], at + ${pyLiteral('/' + escapePointer(key))}, e)`,
        );
      }
      patterns.forEach(([pattern, sub], k) => {
        const fn = compile(sub, `${pointer}/patternProperties/${escapePointer(pattern)}`);
        lines.push(
          `${i}for key in d:`,
          `${i}    if ${patternNames[k]}.search(key) is not None:`,
          `${i}        ${fn}(d[key], pointer_join(at, key), e)`,
        );
      });
    }
    return lines.length > 0 ? lines : [`${i}pass`];
  };

  const root = compile(schema, '');
  const code = [
    ...constants,
    '',
    '',
    'def _errors_of(check: Callable[[Any, str, list[VE]], None], d: Any, at: str) -> list[VE]:',
    '    found: list[VE] = []',
    '    check(d, at, found)',
    '    return found',
    '',
    '',
    ...functions.flatMap((f) => [f, '', '']),
    'def _validate(data: Any) -> list[VE]:',
    '    """The validation schema of this service, compiled at generate time; failures shaped as ajv reports them."""',
    '    errors: list[VE] = []',
    `    ${root}(data, "", errors)`,
    '    return errors',
  ].join('\n');
  return { code };
}
