/**
 * The HCL configs that run the other artifacts: `envconsul.hcl` (exec mode: the service gets its
 * settings as env vars, named as its loader reads them), `consul-template.hcl` (renders the env
 * file on a systemd host and restarts the unit) and `consul-template.kubernetes.hcl` (renders the
 * ConfigMap and Secret, applies them and restarts the Deployment). Paths follow docs/deployment.md:
 * the generated files installed in /usr/share/wazo-config/<service>/.
 */
import { connectTlsGroupOf, type ServiceModel } from '../model.ts';
import { banner } from '../syntax/banner.ts';
import { hashComment } from '../syntax/env.ts';
import { hclList, hclString, hclStringAttributes } from '../syntax/hcl.ts';
import { joinQuoted, commentText, type Quoted } from '../syntax/quoted.ts';
import { shellWord } from '../syntax/shell.ts';
import type { Emitter } from './emitter.ts';
import { fillFrame } from './templates.ts';
import { envFileName } from './env-file.ts';
import { CONNECT_TLS_ENV, CONNECT_TLS_FILES, connectTlsDir, connectTlsSecretName } from './connect-tls.ts';

export function installDir(model: ServiceModel): string {
  return `/usr/share/wazo-config/${model.name}`;
}

/** Where consul-template writes the env file that the systemd unit loads. */
export function envFileDestination(model: ServiceModel): string {
  return `/etc/${model.name}/${envFileName(model)}`;
}

/** The manifests consul-template renders on Kubernetes (the last one only for a service with `x-connect-tls`). */
type Manifest = 'configmap' | 'secret' | 'connect-tls-secret';

/** Where consul-template writes the rendered manifests (tmpfs: the Secret is never on disk). */
export function manifestDestination(model: ServiceModel, manifest: Manifest): string {
  return `/run/wazo-config/${model.name}/${manifest}.yaml`;
}

/** The `format` of envconsul's `prefix` block; with sanitize and upcase it gives leaf.envName. */
export function envconsulFormat(model: ServiceModel): string {
  return `${model.envPrefix}_{{ key }}`;
}

function applyAndRestart(model: ServiceModel, manifest: Manifest): Quoted<'hcl'> {
  const apply = ['kubectl', 'apply', '-f', manifestDestination(model, manifest)].map(shellWord).join(' ');
  const restart = ['kubectl', 'rollout', 'restart', `deployment/${model.name}`].map(shellWord).join(' ');
  return hclList(['/bin/sh', '-c', `${apply} && ${restart}`]);
}

/**
 * A systemd host's Connect files (docs/tls.md): each template to its file, all 0600 (the frame's
 * perms) and owned by the schema's `user`/`group` (a daemon that reads them after dropping its
 * privileges), then one command — consul-template runs a command shared by several templates once
 * per render, after all of them. A group applied live (`x-mutable`) reloads the unit when it can
 * (`try-reload-or-restart`); any other restarts it, as the env file does.
 */
function connectTlsTemplates(model: ServiceModel): TemplateBlock[] {
  const group = connectTlsGroupOf(model);
  if (!group?.connectTls) return [];
  const verb = group.mutable ? 'try-reload-or-restart' : 'try-restart';
  const { owner } = group.connectTls;
  return CONNECT_TLS_FILES.map(({ template, name }) => ({
    template,
    destination: `${connectTlsDir(model)}/${name}`,
    command: hclList(['systemctl', verb, `${model.name}.service`]),
    owner,
  }));
}

/** One `template` block of a consul-template config. */
interface TemplateBlock {
  template: string;
  destination: string;
  command: Quoted<'hcl'>;
  /** consul-template's `user` and `group` of the file written; by default, the user it runs as. */
  owner?: { user?: string; group?: string };
}

function consulTemplateConfig(
  model: ServiceModel,
  root: string,
  file: string,
  config: { purpose: string; templates: TemplateBlock[] },
): string {
  const dir = installDir(model);
  const templates = config.templates.map(({ template, destination, command, owner }) =>
    fillFrame(root, 'deploy', 'consul-template-block.hcl', {
      source: hclString(`${dir}/${template}`),
      destination: hclString(destination),
      // After `perms`, aligned with it; none when consul-template's own user keeps the file.
      owner: hclStringAttributes({ user: owner?.user, group: owner?.group }, '  ', 'destination'.length),
      command,
    }),
  );
  return fillFrame(root, 'deploy', 'consul-template.hcl', {
    banner: banner.hash(model.file),
    purpose: hashComment(config.purpose),
    config: commentText(`${dir}/${file}`),
    templates: joinQuoted(templates),
  });
}

export const hclConfigsEmitter: Emitter = {
  name: 'hcl-configs',
  emit(model, { root }) {
    const dir = installDir(model);
    const example = model.leaves.find((leaf) => leaf.path.length > 1) ?? model.leaves[0];
    const envconsul = fillFrame(root, 'deploy', 'envconsul.hcl', {
      banner: banner.hash(model.file),
      service: commentText(model.name),
      config: commentText(`${dir}/envconsul.hcl`),
      path: hclString(`${model.consulPrefix}/`),
      format: hclString(envconsulFormat(model)),
      example: example
        ? hashComment(`${example.consulKey.slice(model.consulPrefix.length + 1)} → ${example.envName}`)
        : commentText(''),
      command: hclList([`/usr/bin/${model.name}`]),
    });
    const connect = connectTlsGroupOf(model) !== undefined;
    const consulTemplate = consulTemplateConfig(model, root, 'consul-template.hcl', {
      purpose: `consul-template for ${model.name} on a systemd host: renders the service's env file from Consul KV\nand restarts the service when a setting changes (docs/deployment.md "systemd, with the env file rendered from Consul").${
        connect
          ? `\nIt also writes the service's Connect leaf certificate, key and CA roots from the local agent into ${connectTlsDir(model)}/ (the paths of ${CONNECT_TLS_ENV}; docs/tls.md "Without the loader: consul-template"), and reloads or restarts the service: its token needs service:write on ${model.name}.`
          : ''
      }`,
      templates: [
        {
          template: `${envFileName(model)}.ctmpl`,
          destination: envFileDestination(model),
          command: hclList(['systemctl', 'try-restart', `${model.name}.service`]),
        },
        ...connectTlsTemplates(model),
      ],
    });
    const kubernetes = consulTemplateConfig(model, root, 'consul-template.kubernetes.hcl', {
      purpose: `consul-template for ${model.name} on Kubernetes: renders the ConfigMap and the Secret from Consul KV,\napplies them and restarts the Deployment, whose pods read them only when they start\n(docs/deployment.md "Kubernetes"). kubectl runs with the pod's service account: it needs get/patch\non the Deployment, get/create/patch on the ${connect ? 'three objects' : 'two objects'}.${
        connect
          ? `\nIt also renders the Secret ${connectTlsSecretName(model)} (kubernetes.io/tls) from the local agent's Connect leaf and roots (docs/tls.md "Without the loader: consul-template"): its token needs service:write on ${model.name}.`
          : ''
      }`,
      templates: [
        ...(['configmap', 'secret'] as const).map((manifest) => ({
          template: `${manifest}.yaml.ctmpl`,
          destination: manifestDestination(model, manifest),
          command: applyAndRestart(model, manifest),
        })),
        ...(connect
          ? [
              {
                template: 'connect-tls-secret.yaml.ctmpl',
                destination: manifestDestination(model, 'connect-tls-secret'),
                command: applyAndRestart(model, 'connect-tls-secret'),
              },
            ]
          : []),
      ],
    });
    return [
      { path: `${model.name}/envconsul.hcl`, contents: envconsul },
      { path: `${model.name}/consul-template.hcl`, contents: consulTemplate },
      { path: `${model.name}/consul-template.kubernetes.hcl`, contents: kubernetes },
    ];
  },
};
