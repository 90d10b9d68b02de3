/** One of the helpers ajv's standalone validators call at run time (see equal.ts). */
import uriModule from 'ajv/dist/runtime/uri.js';

// Typed loosely: fast-uri's own type cannot be named in the published declarations.
const uri: object = uriModule.default;
export default uri;
