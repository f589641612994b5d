import type { Server } from 'node:http';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from '../graphql.js';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext, GatewayServices } from '../context.js';
import { authenticate, type Principal } from '../auth/authenticate.js';
import { grants } from '../auth/scope.js';
import { toClientError } from '../errors/client-error.js';
import { ErrorCode, gatewayError } from '../errors/gateway-error.js';
import { requestRedactor } from '../errors/request-secrets.js';
import { checkOperationLimits, checkQueryLength } from '../limits/check-limits.js';
import { originAllowed } from '../http/cors.js';

/** Close codes of a refused connection_init: like HTTP 401 and 403, plus the standard "try again later". */
export const CloseCodes = { unauthenticated: 4401, forbidden: 4403, tryAgainLater: 1013 } as const;

type Extra = { principal?: Principal };

const withCode = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    extensions: { ...error.extensions, code },
  });

/**
 * graphql-ws on the HTTP server's port and path: the connection_init payload's
 * `authorization` authenticates the socket once; every operation then gets the
 * same limits and error shapes as over HTTP.
 */
export function startGraphqlWs(
  server: Server,
  path: string,
  schema: GraphQLSchema,
  config: Pick<GatewayConfig, 'corsOrigins' | 'limits'>,
  services: GatewayServices,
): { close(): Promise<void> } {
  const wss = new WebSocketServer({
    server,
    path,
    maxPayload: config.limits.maxBodyBytes,
    verifyClient: ({ origin }) => !origin || originAllowed(origin, config.corsOrigins),
  });
  const format = (errors: readonly GraphQLError[], redact?: (text: string) => string): GraphQLFormattedError[] =>
    errors.map((error) => {
      // Variable coercion errors carry neither a code, a path nor a cause.
      const coded = error.extensions.code || error.path || error.originalError ? error : withCode(error, ErrorCode.BAD_USER_INPUT);
      return toClientError(coded.toJSON(), coded, { log: services.logger, ...(redact ? { redact } : {}) });
    });

  const disposable = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      onConnect: async (ctx) => {
        const result = await authenticate(services.tokens, ctx.connectionParams?.authorization);
        const socket = ctx.extra.socket;
        if (!result.ok) {
          const code = result.status === 401 ? CloseCodes.unauthenticated : CloseCodes.tryAgainLater;
          // A close reason is at most 123 bytes.
          socket.close(code, Buffer.from(result.error.message).subarray(0, 123).toString());
          return false;
        }
        if (!grants(result.principal.scopes, 'read')) {
          socket.close(CloseCodes.forbidden, 'subscriptions need the "read" scope');
          return false;
        }
        ctx.extra.principal = result.principal;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // Formatted by onError, like every error sent on the socket.
        const refuse = (errors: readonly GraphQLError[]) => [...errors];
        const tooLong = checkQueryLength(payload.query, config.limits);
        if (tooLong) return refuse([tooLong]);
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return refuse([withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')]);
        }
        const invalid = validate(schema, document);
        if (invalid.length > 0) return refuse(invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation)
          return refuse([gatewayError(ErrorCode.BAD_USER_INPUT, 'the document has no operation of that name', { field: 'operationName' })]);
        const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 20 });
        if (coerced.errors) return refuse(coerced.errors.map((error) => withCode(error, ErrorCode.BAD_USER_INPUT)));
        const limited = checkOperationLimits(schema, document, payload.operationName, payload.variables ?? undefined, config.limits);
        if (limited) return refuse([limited]);
        const contextValue: GatewayContext = { principal: ctx.extra.principal!, services };
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
        };
      },
      onError: (_ctx, _id, payload, errors) => format(errors, requestRedactor(payload.query, payload.variables)),
      onNext: (_ctx, _id, payload, _args, result) => {
        if (!result.errors) return undefined;
        return { ...result, errors: format(result.errors, requestRedactor(payload.query, payload.variables)) } as never;
      },
    },
    wss,
  );
  return {
    close: async () => {
      await disposable.dispose();
    },
  };
}
