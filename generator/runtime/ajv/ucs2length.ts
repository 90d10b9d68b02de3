/** One of the helpers ajv's standalone validators call at run time (see equal.ts). */
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';

export default ucs2lengthModule.default;
