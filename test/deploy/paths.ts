/**
 * The deployment paths a test sends Consul KV through, each ending in the environment a program
 * gets: the ConfigMap + Secret (rendered, checked against Kubernetes' rules, then as `envFrom`
 * gives them) and envconsul (its naming, configured by the generated envconsul.hcl).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ServiceModel } from '../../generator/model.ts';
import { isKubernetesDataKey, isKubernetesName } from '../../generator/syntax/yaml.ts';
import { generatedPath, readHcl, rendered, runBatch, type HclObject, type KvEntry } from './tools.ts';

const MAX_DATA_BYTES = 1024 * 1024;

/**
 * What go-yaml (the YAML reader behind kubectl and the API server) accepts in a document: YAML's
 * printable set. A raw U+0085, U+2028 or U+2029 would be a line break there (YAML 1.1) and be folded
 * inside a quoted scalar, so none may appear raw either.
 */
function assertGoYamlReads(text: string, where: string): void {
  for (const char of text) {
    const c = char.codePointAt(0)!;
    const printable =
      c === 0x09 ||
      c === 0x0a ||
      c === 0x0d ||
      (c >= 0x20 && c <= 0x7e) ||
      (c >= 0xa0 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      c >= 0x10000;
    assert.ok(
      printable && c !== 0x2028 && c !== 0x2029,
      `${where}: raw U+${c.toString(16).padStart(4, '0')} in the manifest`,
    );
  }
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  type?: string;
  data: Record<string, string> | null;
}

/** The Kubernetes rules of a ConfigMap or Secret (of type `Opaque` unless said); returns its data. */
export function checkManifest(
  text: string,
  kind: 'ConfigMap' | 'Secret',
  name: string,
  secretType: 'Opaque' | 'kubernetes.io/tls' = 'Opaque',
): Record<string, string> {
  assertGoYamlReads(text, kind);
  const manifest = parseYaml(text, { strict: true, uniqueKeys: true }) as Manifest;
  assert.equal(manifest.apiVersion, 'v1');
  assert.equal(manifest.kind, kind);
  assert.equal(manifest.metadata.name, name);
  assert.equal(manifest.type, kind === 'Secret' ? secretType : undefined);
  assert.ok(isKubernetesName(manifest.metadata.name));
  const data = manifest.data ?? {};
  let bytes = 0;
  for (const [key, value] of Object.entries(data)) {
    assert.ok(isKubernetesDataKey(key) && /^[-._a-zA-Z0-9]+$/.test(key) && key.length <= 253, `${kind} key ${key}`);
    assert.equal(typeof value, 'string', `${kind} ${key} is a string`);
    if (kind === 'Secret') assert.match(value, /^[A-Za-z0-9+/]*={0,2}$/, `Secret ${key} is base64`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  assert.ok(bytes <= MAX_DATA_BYTES, `${kind} data is ${bytes} bytes`);
  return data;
}

/** ConfigMap + Secret rendered from `kv` → the environment a pod with `envFrom` both gets. */
export function podEnvironment(model: ServiceModel, kv: KvEntry[]): Record<string, string> {
  const [configMap, secret] = runBatch([
    { template: generatedPath(model.name, 'configmap.yaml.ctmpl'), kv },
    { template: generatedPath(model.name, 'secret.yaml.ctmpl'), kv },
  ]).map(rendered);
  const plain = checkManifest(configMap!, 'ConfigMap', `${model.name}-config`);
  const secrets = checkManifest(secret!, 'Secret', `${model.name}-secret`);
  for (const key of Object.keys(secrets)) assert.ok(!(key in plain), `${key} is in both the ConfigMap and the Secret`);
  const decoded = Object.fromEntries(
    Object.entries(secrets).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  return { ...plain, ...decoded };
}

/** What envconsul, configured by the generated envconsul.hcl, exports from `kv`. */
export function envconsulEnvironment(service: string, kv: KvEntry[]): Record<string, string> {
  const file = generatedPath(service, 'envconsul.hcl');
  const config = readHcl(readFileSync(file, 'utf8'), file);
  const prefix = onlyBlock(config, 'prefix', file);
  const [result] = runBatch([
    {
      envconsul: {
        prefix: prefix.path as string,
        format: prefix.format as string,
        sanitize: config.sanitize === true,
        upcase: config.upcase === true,
      },
      kv,
    },
  ]);
  if (!result || !('env' in result))
    throw new Error(`envconsul: ${result && 'error' in result ? result.error : 'no result'}`);
  return result.env;
}

/** The one `name` block of a decoded HCL file (HCL v1 decodes every block as a list). */
export function onlyBlock(config: HclObject, name: string, where: string): HclObject {
  const blocks = config[name];
  assert.ok(Array.isArray(blocks) && blocks.length === 1, `${where}: one ${name} block, not ${JSON.stringify(blocks)}`);
  return blocks[0] as HclObject;
}
