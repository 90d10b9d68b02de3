/**
 * Random valid configs of a service, from its model: every leaf with a default gets a value, a leaf
 * without one may be absent; strings are built from hostile pieces (quotes, backslashes, newlines,
 * `#`, `$VAR`, `${VAR}`, `{{ }}`, spaces, `=`, `<>&`, unicode…); the whole config passes the
 * service's generated validator.
 */
import fc from 'fast-check';
import type { LeafSetting, ServiceModel } from '../../generator/model.ts';
import type { SchemaNode } from '../../generator/load.ts';
import { encode } from '../../generator/runtime/codec.ts';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { generatedPath } from './tools.ts';
import { isForbiddenKey } from '../../generator/runtime/limits.ts';
import { takenValue } from '../arbitrary-keys.ts';

/**
 * Pieces hostile to some artifact, and to none (`\r` and U+FFFF aside, which env files cannot carry),
 * mixed with random code points from the whole of Unicode. No NUL: no path carries it (hostile.test.ts).
 */
export const HOSTILE_PIECES = [
  '\r',
  '\uffff',
  "'",
  '"',
  '\\',
  '\n',
  '#',
  ' # x',
  '$VAR',
  '${VAR}',
  '${VAR:-d}',
  '{{ }}',
  '{{STACK_URL}}',
  ' ',
  '=',
  '<>&',
  'é',
  '😀',
  '\u2028',
  '\u0085',
  '\u007f',
  '\t',
  '`',
  ';',
  'a',
  'Z',
  '0',
  '-',
  '/',
  ':',
];

/**
 * Whether every env file reader reads `NAME=<quoted text>` back as `text`: what docs/deployment.md
 * "What an env file cannot carry" states, written here apart from the generator's rules so that the
 * properties test them rather than repeat them. Single quotes hold anything but `'`, `\\`, a final
 * `\` and python-dotenv's `${…}` (its _posix_variable); double quotes anything but `"`, `\` and `$`.
 */
export function envFileCarries(name: string, text: string): boolean {
  if (/[\0\r]/.test(text) || Buffer.byteLength(`${name}=${text}`) + 1 > 131072) return false;
  for (const char of text) {
    const c = char.codePointAt(0)!;
    if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) === 0xfffe) return false; // systemd's UTF-8 check
  }
  const single =
    !text.includes("'") && !text.includes('\\\\') && !text.endsWith('\\') && !/\$\{[^}:]*(?::-[^}]*)?\}/.test(text);
  const double = !/["\\$]/.test(text);
  return single || double;
}

const pieceString = (pieces: readonly string[], maxLength = 8) =>
  fc
    .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength })
    .map((parts) => parts.join(''))
    .filter((text) => !text.includes('\0'));

export interface ConfigArbitraryOptions {
  /** Only values every env file reader can carry (for the round trip through env files). */
  envFileSafe?: boolean;
}

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

export async function validatorOf(service: string): Promise<Validate> {
  return ((await import(generatedPath(service, 'validate.ts'))) as { validate: Validate }).validate;
}

export function configArbitrary(
  model: ServiceModel,
  validate: Validate,
  options: ConfigArbitraryOptions = {},
): fc.Arbitrary<JsonValue> {
  const entries = model.leaves.map((leaf) => {
    let arb = leafArbitrary(leaf);
    if (options.envFileSafe) arb = arb.filter((value) => envFileCarries(leaf.envName, encode(value, leaf)));
    return leaf.default === undefined
      ? fc.option(arb, { nil: undefined, freq: 3 })
      : fc.oneof({ arbitrary: arb, weight: 4 }, { arbitrary: fc.constant(leaf.default), weight: 1 });
  });
  return fc
    .tuple(...entries)
    .map((values) => {
      const config: Record<string, JsonValue> = {};
      values.forEach((value, i) => {
        if (value !== undefined) setAt(config, model.leaves[i]!.path, value);
      });
      return config as JsonValue;
    })
    .filter((config) => validate(config));
}

function setAt(root: Record<string, JsonValue>, path: readonly string[], value: JsonValue): void {
  let node = root;
  path.slice(0, -1).forEach((segment) => {
    node[segment] ??= {};
    node = node[segment] as Record<string, JsonValue>;
  });
  node[path.at(-1)!] = value;
}

function leafArbitrary(leaf: LeafSetting): fc.Arbitrary<JsonValue> {
  if (leaf.enum) return fc.constantFrom(...leaf.enum);
  if (leaf.types.length === 0)
    return fc
      .jsonValue({ maxDepth: 2 })
      .map((v) => JSON.parse(JSON.stringify(v)) as JsonValue)
      .filter(takenValue);
  return fc.oneof(...leaf.types.map((type) => typed(type, leaf.schema, HOSTILE_PIECES)));
}

function typed(type: string, node: SchemaNode, pieces: readonly string[]): fc.Arbitrary<JsonValue> {
  if (Array.isArray(node.enum)) return fc.constantFrom(...(node.enum as JsonValue[]));
  const num = (key: string) => (typeof node[key] === 'number' ? (node[key] as number) : undefined);
  switch (type) {
    case 'string':
      return stringOf(node, pieces);
    case 'integer': {
      const min = Math.max(
        num('minimum') ?? Number.MIN_SAFE_INTEGER,
        (num('exclusiveMinimum') ?? Number.MIN_SAFE_INTEGER - 1) + 1,
      );
      const max = Math.min(
        num('maximum') ?? Number.MAX_SAFE_INTEGER,
        (num('exclusiveMaximum') ?? Number.MAX_SAFE_INTEGER + 1) - 1,
      );
      // 53-bit, with the bounds.
      return fc.oneof(fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number), fc.constantFrom(min, max));
    }
    case 'number':
      return fc
        .double({
          min: num('minimum') ?? num('exclusiveMinimum') ?? -1e9,
          max: num('maximum') ?? 1e9,
          noNaN: true,
          noDefaultInfinity: true,
        })
        .filter((n) => !Object.is(n, -0));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(anyOf(isNode(node.items) ? node.items : {}, pieces), { maxLength: 4 });
    case 'map': {
      if (isNode(node.properties)) {
        const properties = Object.entries(node.properties).filter((entry): entry is [string, SchemaNode] =>
          isNode(entry[1]),
        );
        const requiredKeys = Array.isArray(node.required) ? (node.required as string[]) : [];
        return fc.record(Object.fromEntries(properties.map(([key, child]) => [key, anyOf(child, pieces)])), {
          requiredKeys,
          noNullPrototype: true,
        }) as fc.Arbitrary<JsonValue>;
      }
      const values = isNode(node.additionalProperties) ? node.additionalProperties : {};
      return fc.dictionary(
        pieceString(pieces, 3).filter((k) => !isForbiddenKey(k)),
        anyOf(values, pieces),
        { maxKeys: 3, noNullPrototype: true },
      );
    }
    default:
      throw new Error(`no arbitrary for type ${type}`);
  }
}

function stringOf(node: SchemaNode, pieces: readonly string[]): fc.Arbitrary<JsonValue> {
  if (typeof node.pattern === 'string') return fc.stringMatching(new RegExp(node.pattern));
  if (node.format === 'email') return fc.emailAddress();
  if (node.format === 'uri') return fc.webUrl({ withQueryParameters: true, withFragments: true });
  const minLength = typeof node.minLength === 'number' ? node.minLength : 0;
  return pieceString(pieces).filter((s) => [...s].length >= minLength);
}

/** Any value `node` (an item or map value schema) accepts. */
function anyOf(node: SchemaNode, pieces: readonly string[]): fc.Arbitrary<JsonValue> {
  const declared =
    typeof node.type === 'string'
      ? [node.type]
      : Array.isArray(node.type)
        ? (node.type as string[])
        : ['string', 'integer', 'boolean'];
  return fc.oneof(...declared.map((t) => typed(t === 'object' ? 'map' : t, node, pieces)));
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
