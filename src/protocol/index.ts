/** The protocol layer: schemas, registry, identifiers, result codes. No I/O. */
export * from './result-codes.js';
export * from './errors.js';
export * from './registry-types.js';
export * from './parse.js';
export { calls } from './messages/index.js';
export * as schemas from './messages/common.js';
export * from './identifiers/index.js';
export * from './time.js';
