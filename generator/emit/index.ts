/** The emitters `generate` runs, in order. */
import { configPyEmitter } from './config-py.ts';
import { configTsEmitter } from './config-ts.ts';
import { consulSeedEmitter } from './consul-seed.ts';
import { docsIndexHtmlEmitter } from './docs-index-html.ts';
import { docsIndexMarkdownEmitter } from './docs-index-md.ts';
import { docsReadmeEmitter } from './docs-readme.ts';
import { editorSchemaEmitter } from './editor-schema.ts';
import type { Emitter, IndexEmitter } from './emitter.ts';
import { validatorEmitter } from './validator.ts';

export const EMITTERS: Emitter[] = [configTsEmitter, validatorEmitter, consulSeedEmitter];

export const INDEX_EMITTERS: IndexEmitter[] = [];
EMITTERS.push(docsReadmeEmitter, editorSchemaEmitter);
INDEX_EMITTERS.push(docsIndexMarkdownEmitter, docsIndexHtmlEmitter);
import { envFileEmitter, envTemplateEmitter } from './env-file.ts';
import { kubernetesEmitter } from './kubernetes.ts';
import { hclConfigsEmitter } from './hcl-configs.ts';
import { consulLocationEmitter } from './consul-location.ts';
EMITTERS.push(envFileEmitter, envTemplateEmitter, kubernetesEmitter, hclConfigsEmitter, configPyEmitter);
INDEX_EMITTERS.push(consulLocationEmitter);
