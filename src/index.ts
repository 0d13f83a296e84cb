/** The oioi SDK: protocol core, server core and client. */
export * from './protocol/index.js';
