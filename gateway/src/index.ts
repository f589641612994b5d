export { readGatewayConfig, type GatewayConfig, type QueryLimits } from './config.js';
export { startGateway, type RunningGateway, type StartGatewayOptions } from './start-gateway.js';
export type { GatewayContext, GatewayServices, LogPageReader, LogPageResult } from './context.js';
export type { Principal } from './auth/authenticate.js';
export { SCOPES, type Scope } from './auth/scope.js';
export { ErrorCode } from './errors/gateway-error.js';
