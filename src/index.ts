/** The oioi SDK: protocol core, server core and client. */
export * from './protocol/index.js';
export * from './transport/server/index.js';
export * from './transport/client/index.js';
