export * from './secret-key.js';
export * from './secret-cipher.js';
export * from './secret-ref.js';
export * from './secret-vault.js';
