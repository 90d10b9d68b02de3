/**
 * The service's ajv standalone validator, compiled at generate time so that no schema is compiled
 * when a service starts. The ajv helpers it calls are imported one by one from
 * `wazo-config/runtime/ajv/<name>`: importing a validator never loads ajv's compiler.
 *
 * Beside a `config.ts` it is `validate.ts` (unchecked: ajv's code is untyped) so that the
 * service's own `tsc` compiles it into its output folder with the loader; beside a `config.js` it
 * is `validate.js` + `validate.d.ts`.
 */
import { _, Name } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { createAjv } from '../ajv.ts';
import { banner } from '../syntax/banner.ts';
import { validationSchemaOf } from '../validation-schema.ts';
import type { Emitter } from './emitter.ts';

const RUNTIME_REQUIRE = /require\("ajv\/dist\/runtime\/([a-z_0-9]+)"\)\.default/g;
/** Where ajv's standalone code reads function formats (regex formats are inlined). */
const FORMATS = 'ajvFormats';
/** ajv's standalone exports, replaced by typed ones. */
const AJV_EXPORTS = /export const validate = (\w+);\s*export default \1;/;
/** The helpers wazo-config/runtime/ajv/ re-exports (each listed in package.json's exports). */
const HELPERS = new Set(['equal', 'ucs2length', 'uri', 'validation_error']);

export const validatorEmitter: Emitter = {
  name: 'validator',
  emit(model, { language = 'ts' }) {
    // A fresh instance per service: ajv numbers its generated names per instance, so output stays stable.
    const ajv = createAjv({ code: { source: true, esm: true, formats: _`${new Name(FORMATS)}` } });
    const compiled = ajv.compile(validationSchemaOf(model.schema));
    const used = new Set<string>();
    const code = standaloneCode
      .default(ajv, compiled)
      .replace(RUNTIME_REQUIRE, (_match, name: string) => {
        if (!HELPERS.has(name))
          throw new Error(
            `${model.file}: the compiled validator needs ajv's ${name} helper, which wazo-config/runtime/ajv/ does not export`,
          );
        used.add(name);
        return `ajv_${name}`;
      })
      .replace('"use strict";', '');
    if (code.includes('require('))
      throw new Error(
        `${model.file}: the compiled validator requires a module wazo-config/runtime/ajv/ does not export`,
      );
    const name = AJV_EXPORTS.exec(code)?.[1];
    if (!name) throw new Error(`${model.file}: ajv's standalone code no longer exports \`validate\` as expected`);
    const body = code.replace(AJV_EXPORTS, '');
    // Only the helpers this validator calls: importing it loads neither ajv's compiler nor unused helpers.
    const imports = [...used]
      .sort()
      .map((helper) => `import ajv_${helper} from 'wazo-config/runtime/ajv/${helper}';\n`);
    if (body.includes(`${FORMATS}.`)) imports.push(`import ${FORMATS} from 'wazo-config/runtime/ajv/formats';\n`);
    const head = `${banner.slashes(model.file)}${imports.join('')}`;
    if (language === 'ts') {
      return [
        {
          path: `${model.name}/validate.ts`,
          contents:
            `${banner.slashes(model.file)}// @ts-nocheck: ajv's generated code is untyped; \`validate\` below is typed.\n` +
            `${imports.join('')}import type { CompiledValidator } from 'wazo-config/runtime';\n` +
            `${body}\nexport const validate = ${name} as unknown as CompiledValidator;\nexport default validate;\n`,
        },
      ];
    }
    return [
      {
        path: `${model.name}/validate.js`,
        contents: `${head}${body}\nexport const validate = ${name};\nexport default validate;\n`,
      },
      {
        path: `${model.name}/validate.d.ts`,
        contents: `${banner.slashes(model.file)}import type { CompiledValidator } from 'wazo-config/runtime';\n\nexport declare const validate: CompiledValidator;\nexport default validate;\n`,
      },
    ];
  },
};
