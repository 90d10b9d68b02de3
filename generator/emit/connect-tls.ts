/**
 * The deployment artifacts of a service whose schema marks a group `x-connect-tls`, for a daemon that
 * does not fetch its Connect material itself (docs/tls.md "Without the loader: consul-template"):
 * consul-template templates that render the leaf certificate (`caLeaf "<service>"`), its key and
 * the CA roots (`caRoots`) into three files on a systemd host, or into one `kubernetes.io/tls`
 * Secret (`tls.crt`, `tls.key`, `ca.crt`) for a pod to mount; and `connect-tls.env`, which points
 * the group's leaves at those files. Both deployments put the files under the same paths, so one env
 * file serves both. A service without the mark gets none of these. The key only ever goes to the
 * 0600 file and the Secret, never to KV or a ConfigMap.
 */
import { connectTlsSpecOf, type ServiceModel } from '../model.ts';
import { dotted } from '../runtime/tree.ts';
import type { ConnectTlsSpec } from '../runtime/types.ts';
import type { SchemaProblem } from '../schema-problems.ts';
import { banner } from '../syntax/banner.ts';
import { envFileValue, envLine, hashComment } from '../syntax/env.ts';
import { goString, templateText } from '../syntax/gotemplate.ts';
import { commentText, joinQuoted } from '../syntax/quoted.ts';
import { isKubernetesName, yamlString } from '../syntax/yaml.ts';
import type { Emitter, GeneratedFile } from './emitter.ts';
import { fillFrame } from './templates.ts';

/** One file of the service's Connect material: its template, and its name in the directory and in the Secret. */
export interface ConnectTlsFile {
  /** The generated template, e.g. `connect-tls.key.ctmpl`. */
  template: 'connect-tls.crt.ctmpl' | 'connect-tls.key.ctmpl' | 'connect-ca.crt.ctmpl';
  /** The file's name: the `kubernetes.io/tls` Secret's key, and the file consul-template writes on a host. */
  name: 'tls.crt' | 'tls.key' | 'ca.crt';
  /** Which leaf of the `x-connect-tls` group takes its path. */
  leaf: keyof Pick<ConnectTlsSpec, 'certificate' | 'privateKey' | 'ca'>;
}

export const CONNECT_TLS_FILES: readonly ConnectTlsFile[] = [
  { template: 'connect-tls.crt.ctmpl', name: 'tls.crt', leaf: 'certificate' },
  { template: 'connect-tls.key.ctmpl', name: 'tls.key', leaf: 'privateKey' },
  { template: 'connect-ca.crt.ctmpl', name: 'ca.crt', leaf: 'ca' },
];

/**
 * Where the files are: consul-template writes them there on a systemd host (tmpfs: the key is
 * never on disk), and a pod mounts the Secret there.
 */
export function connectTlsDir(model: ServiceModel): string {
  return `/run/wazo-config/${model.name}/connect`;
}

export function connectTlsSecretName(model: ServiceModel): string {
  return `${model.name}-connect-tls`;
}

/** The env file that points the group's leaves at the files. */
export const CONNECT_TLS_ENV = 'connect-tls.env';

function secretNameProblems(model: ServiceModel): SchemaProblem[] {
  const name = connectTlsSecretName(model);
  if (!connectTlsSpecOf(model) || isKubernetesName(name)) return [];
  return [
    {
      file: model.file,
      pointer: '/x-service/name',
      message: `${name} (the Secret of its Connect TLS material) is not a Kubernetes object name`,
      hint: 'a service name of lower-case letters, digits and inner dashes, at most 241 characters',
    },
  ];
}

/** `NAME='<dir>/<file>'` for each leaf of the group the service has (the CA only when the group has its leaf). */
function envSettings(model: ServiceModel, spec: ConnectTlsSpec) {
  return CONNECT_TLS_FILES.flatMap((file) => {
    const path = spec[file.leaf];
    const leaf = path && model.leaves.find((l) => dotted(l.path) === dotted(path));
    if (!leaf) return [];
    const value = envFileValue(leaf.envName, `${connectTlsDir(model)}/${file.name}`);
    if (!value.ok) throw new Error(`${leaf.envName}: ${value.reason}`);
    return [
      joinQuoted([
        hashComment(`${dotted(leaf.path)}: the ${file.name} consul-template writes`),
        envLine(leaf.envName, value.text),
      ]),
    ];
  });
}

export const connectTlsEmitter: Emitter = {
  name: 'connect-tls',
  check: secretNameProblems,
  emit(model, { root }): GeneratedFile[] {
    const spec = connectTlsSpecOf(model);
    if (!spec) return [];
    const service = goString(model.name);
    const pem = CONNECT_TLS_FILES.map(({ template, leaf }) => ({
      path: `${model.name}/${template}`,
      // The roots are the same for every service: only the leaf's templates name it.
      contents: fillFrame(root, 'deploy', template, {
        banner: banner.goTemplate(model.file),
        ...(leaf === 'ca' ? {} : { service }),
      }),
    }));
    const secret = fillFrame(root, 'deploy', 'connect-tls-secret.yaml.ctmpl', {
      banner: banner.goTemplate(model.file),
      service: templateText(commentText(model.name)),
      mount: templateText(commentText(connectTlsDir(model))),
      name: templateText(yamlString(connectTlsSecretName(model))),
      label: templateText(yamlString(model.name)),
      leaf: service,
    });
    const env = fillFrame(root, 'deploy', 'connect-tls.env', {
      banner: banner.hash(model.file),
      service: commentText(model.name),
      secret: commentText(connectTlsSecretName(model)),
      mount: commentText(connectTlsDir(model)),
      settings: joinQuoted(envSettings(model, spec), '\n\n'),
    });
    return [
      ...pem,
      { path: `${model.name}/connect-tls-secret.yaml.ctmpl`, contents: secret },
      { path: `${model.name}/${CONNECT_TLS_ENV}`, contents: env },
    ];
  },
};
