/**
 * One of the helpers ajv's standalone validators call at run time, one module each so that a
 * validator loads only those its schema needs (never ajv's compiler). Generated validators import
 * them as `wazo-config/runtime/ajv/<name>`, so they resolve wherever wazo-config is installed.
 * (ajv's helpers are CommonJS: an ESM default import is their `exports` object, hence `.default`.)
 */
import equalModule from 'ajv/dist/runtime/equal.js';

export default equalModule.default;
