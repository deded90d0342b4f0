export * from './topics.js';
export * from './telemetry.js';
export * from './status.js';
export * from './bounds.js';
export * from './confirm.js';
