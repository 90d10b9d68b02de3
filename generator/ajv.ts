/** The one ajv set-up of the project: JSON Schema 2020-12, strict, our keywords and formats registered. */
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { VOCABULARY } from './vocabulary.ts';

const addFormats = addFormatsModule.default;

export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, ...options });
  addFormats(ajv);
  for (const [keyword, metaSchema] of Object.entries(VOCABULARY)) ajv.addKeyword({ keyword, metaSchema });
  return ajv;
}
