export * from './env-config.js';
export * from './redactor.js';
export * from './json-logger.js';
export * from './health-server.js';
export * from './graceful-shutdown.js';
export * from './nats-readiness.js';
export * from './service-basics.js';
