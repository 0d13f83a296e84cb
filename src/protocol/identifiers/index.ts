export * from './evse-id.js';
export * from './evco-id.js';
export * from './uid.js';
export * from './partner-identifier.js';
