export * from './secrets/index.js';
export { readConnectionsConfig, type ConnectionsConfig } from './config.js';
export { startConnections, type RunningService, type StartOptions } from './start-connections.js';
export { ConnectionsModule, CONNECTIONS_SERVICE } from './connections.module.js';
export { CONNECTIONS_COMMANDS } from './connections-commands.js';
export { secretAggregateId } from './secret-commands.js';
