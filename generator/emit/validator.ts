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
import { createCompilingAjv } from '../ajv.ts';
import { banner } from '../syntax/banner.ts';
import { jsonText } from '../syntax/json.ts';
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
    // A fresh instance per service: ajv numbers its generated names per instance, so output stays stable. `lines`:
    // one statement or block edge a line, which layout() indents.
    const ajv = createCompilingAjv({
      code: { source: true, esm: true, lines: true, formats: _`${new Name(FORMATS)}` },
    });
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
    const body = layout(code.replace(AJV_EXPORTS, ''));
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

/** ajv's schema constants, one line of JSON each: laid out as syntax/json.ts lays JSON out. */
const SCHEMA_CONSTANT = /^(const schema\d+ = )(\{.*\});$/;

/**
 * ajv's standalone code (with `code.lines`) in a readable layout, without a formatter: blocks indented two spaces a
 * level and the schema constants as laid-out JSON. ajv writes one statement a line, opens a block at the end of a
 * line (`if(…){`, `else {`) and closes it on a line of its own (`}`); object literals open and close on their line.
 * Only leading whitespace and blank lines change (ajv writes no template literal, so no string spans lines); should
 * ajv's shape ever differ (a block edge elsewhere), the code is kept as ajv wrote it.
 */
function layout(code: string): string {
  const lines: string[] = [];
  let depth = 0;
  for (const raw of code.replace(/\n{3,}/g, '\n\n').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('}')) depth--;
    if (depth < 0) return code;
    const constant = depth === 0 ? SCHEMA_CONSTANT.exec(line) : null;
    lines.push(line === '' ? '' : constant ? constant[1] + jsonOf(constant[2]!) + ';' : '  '.repeat(depth) + line);
    if (line.endsWith('{')) depth++;
  }
  return depth === 0 ? lines.join('\n').replace(/^\n+/, '\n') : code;
}

/** The JSON text laid out, or as it is when it is not JSON after all. */
function jsonOf(text: string): string {
  try {
    return jsonText(JSON.parse(text));
  } catch {
    return text;
  }
}
