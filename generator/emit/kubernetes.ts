/**
 * `configmap.yaml.ctmpl` and `secret.yaml.ctmpl`: consul-template renders a Kubernetes ConfigMap
 * (the settings that are not secret) and a Secret (the secret ones) whose keys are the settings'
 * environment variable names, for `envFrom` in a pod spec. ConfigMap values are `toJSON`-quoted
 * (plus yaml.ts's escapes); Secret values are `base64Encode`d `data`. A key missing from Consul gets
 * its schema default in the ConfigMap and is left out of the Secret (secrets are never written from
 * the schema; the loader applies the default).
 */
import type { LeafSetting, ServiceModel } from '../model.ts';
import type { SchemaProblem } from '../schema-problems.ts';
import { banner } from '../syntax/banner.ts';
import { envVarProblems } from '../syntax/env.ts';
import { checkDefines, kvBranch, templateText, type Check } from '../syntax/gotemplate.ts';
import { commentText, goTag, joinQuoted, type Quoted } from '../syntax/quoted.ts';
import { isKubernetesDataKey, isKubernetesName, yamlString } from '../syntax/yaml.ts';
import type { Emitter, GeneratedFile } from './emitter.ts';
import { defaultText, warnLeftOut } from './default-text.ts';
import { templateKeyProblems } from './template-keys.ts';
import { fillFrame } from './templates.ts';

export function configMapName(model: ServiceModel): string {
  return `${model.name}-config`;
}

export function secretName(model: ServiceModel): string {
  return `${model.name}-secret`;
}

/** Object names and data keys Kubernetes would refuse. */
function kubernetesNameProblems(model: ServiceModel): SchemaProblem[] {
  const problems = [configMapName(model), secretName(model)]
    .filter((name) => !isKubernetesName(name))
    .map((name) => ({
      file: model.file,
      pointer: '/x-service/name',
      message: `${name} is not a Kubernetes object name`,
      hint: 'a service name of lower-case letters, digits and inner dashes',
    }));
  problems.push(
    ...model.leaves
      .filter((leaf) => !isKubernetesDataKey(leaf.envName))
      .map((leaf) => ({
        file: model.file,
        pointer: leaf.pointer,
        message: `${leaf.envName} is not a ConfigMap/Secret key`,
        hint: 'at most 253 characters of [-._a-zA-Z0-9]',
      })),
  );
  return problems;
}

/** One `data` entry: the value from Consul if the key is there, else `absent` (or nothing). */
function dataEntry(leaf: LeafSetting, check: Check, absent: Quoted<'yaml'> | undefined): Quoted<'go-template'> {
  const entry = (value: Quoted<'go-template'>) => goTag`${templateText(`\n  ${yamlString(leaf.envName)}: `)}${value}`;
  return kvBranch({
    key: leaf.consulKey,
    name: leaf.envName,
    check,
    present: entry,
    absent: absent === undefined ? goTag`` : entry(templateText(absent)),
    trim: true,
  });
}

function manifest(
  model: ServiceModel,
  root: string,
  frame: 'configmap.yaml.ctmpl' | 'secret.yaml.ctmpl',
  object: { name: string; check: Check; data: Quoted<'go-template'> },
): GeneratedFile {
  const contents = fillFrame(root, 'deploy', frame, {
    banner: banner.goTemplate(model.file),
    checks: checkDefines([object.check]),
    service: templateText(commentText(model.name)),
    prefix: templateText(commentText(model.consulPrefix)),
    name: templateText(yamlString(object.name)),
    label: templateText(yamlString(model.name)),
    data: object.data,
  });
  return { path: `${model.name}/${frame}`, contents };
}

export const kubernetesEmitter: Emitter = {
  name: 'kubernetes',
  check: (model) => [...templateKeyProblems(model), ...kubernetesNameProblems(model)],
  emit(model, { root }) {
    const configData = model.leaves
      .filter((leaf) => !leaf.secret)
      .map((leaf) => {
        const text = defaultText(leaf);
        const problems = text === undefined ? [] : envVarProblems(leaf.envName, text);
        if (problems.length > 0) warnLeftOut(model, leaf, 'configmap.yaml.ctmpl', problems.join('; '));
        return dataEntry(leaf, 'yaml', text === undefined || problems.length > 0 ? undefined : yamlString(text));
      });
    const secretData = model.leaves.filter((leaf) => leaf.secret).map((leaf) => dataEntry(leaf, 'base64', undefined));
    return [
      manifest(model, root, 'configmap.yaml.ctmpl', {
        name: configMapName(model),
        check: 'yaml',
        data: joinQuoted(configData),
      }),
      manifest(model, root, 'secret.yaml.ctmpl', {
        name: secretName(model),
        check: 'base64',
        data: joinQuoted(secretData),
      }),
    ];
  },
};
