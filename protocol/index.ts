export * from './topics.js';
export * from './telemetry.js';
export * from './status.js';
