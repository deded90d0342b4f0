export * from './certs.js';
export * from './influxd.js';
export * from './mosquitto.js';
export * from './ports.js';
export * from './process.js';
export * from './prometheus.js';
export * from './victoria.js';
export * from './refusing-proxy.js';
