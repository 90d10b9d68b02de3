/**
 * The formats ajv-formats checks with a function (uri, date-time…), for standalone validators;
 * formats checked by a regular expression are inlined in the validator and need no import.
 */
import formatsModule from 'ajv-formats/dist/formats.js';

export default formatsModule.fullFormats;
