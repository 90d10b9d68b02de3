/**
 * `validate.js` (+ `validate.d.ts`): the service's ajv standalone validator, compiled at generate
 * time so that no schema is compiled when a service starts. ajv's helpers are imported from
 * `wazo-config/runtime`, the one path generated code uses.
 */
import { _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { createAjv } from '../ajv.ts';
import { banner } from '../syntax/banner.ts';
import { validationSchemaOf } from '../validation-schema.ts';
import type { Emitter } from './emitter.ts';

const RUNTIME_REQUIRE = /require\("ajv\/dist\/runtime\/([a-z_0-9]+)"\)\.default/g;

export const validatorEmitter: Emitter = {
  name: 'validator',
  emit(model) {
    // A fresh instance per service: ajv numbers its generated names per instance, so output stays stable.
    const ajv = createAjv({ code: { source: true, esm: true, formats: _`ajvRuntime.formats` } });
    const validate = ajv.compile(validationSchemaOf(model.schema));
    const code = standaloneCode.default(ajv, validate).replace(RUNTIME_REQUIRE, (_match, name: string) => `ajvRuntime.${name}`);
    if (code.includes('require(')) throw new Error(`${model.file}: the compiled validator needs a helper wazo-config/runtime does not export`);
    const source = model.file;
    return [
      {
        path: `${model.name}/validate.js`,
        contents: `${banner.slashes(source)}import { ajvRuntime } from 'wazo-config/runtime';\n${code.replace('"use strict";', '')}\n`,
      },
      {
        path: `${model.name}/validate.d.ts`,
        contents: `${banner.slashes(source)}import type { CompiledValidator } from 'wazo-config/runtime';\n\nexport declare const validate: CompiledValidator;\nexport default validate;\n`,
      },
    ];
  },
};
