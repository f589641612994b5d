import type { Scope } from './scope.js';

/** Root fields needing more than their operation's default scope (queries and subscriptions: read; mutations: write). */
const ELEVATED: Readonly<Record<string, Scope>> = {
  'Query.apiTokens': 'admin',
  'Query.secrets': 'admin',
  'Mutation.setSecret': 'admin',
  'Mutation.deleteSecret': 'admin',
  'Mutation.createApiToken': 'admin',
  'Mutation.revokeApiToken': 'admin',
};

/** The scope a root field needs, e.g. `requiredScope('Mutation', 'createTask')` is write. */
export function requiredScope(operationType: string, field: string): Scope {
  return ELEVATED[`${operationType}.${field}`] ?? (operationType === 'Mutation' ? 'write' : 'read');
}
