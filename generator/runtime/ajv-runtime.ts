/**
 * The helpers ajv's standalone validators call at run time, re-exported so that generated
 * validators import them from `wazo-config/runtime` like everything else. (These are CommonJS
 * modules: an ESM default import is their `exports` object, hence `.default`.)
 */
import formatsModule from 'ajv-formats/dist/formats.js';
import equalModule from 'ajv/dist/runtime/equal.js';
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
import uriModule from 'ajv/dist/runtime/uri.js';
import validationErrorModule from 'ajv/dist/runtime/validation_error.js';

export const formats = formatsModule.fullFormats;
export const equal = equalModule.default;
export const ucs2length = ucs2lengthModule.default;
// Typed loosely: fast-uri's own type cannot be named in the published declarations.
export const uri: object = uriModule.default;
export const validation_error = validationErrorModule.default;
