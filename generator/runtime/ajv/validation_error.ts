/** One of the helpers ajv's standalone validators call at run time (see equal.ts). */
import validation_errorModule from 'ajv/dist/runtime/validation_error.js';

export default validation_errorModule.default;
