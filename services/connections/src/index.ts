export * from './secrets/index.js';
