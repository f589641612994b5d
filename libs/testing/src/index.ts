export * from './env.js';
export * from './nats-namespace.js';
export * from './nats-server-process.js';
export * from './postgres-database.js';
export * from './wait-for.js';
export * from './git-fixture.js';
export * from './spawn-service-process.js';
export * from './git-sync.js';
