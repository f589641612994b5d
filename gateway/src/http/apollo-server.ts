import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from '../graphql.js';
import type { JsonLogger } from '@cohort/platform';
import type { QueryLimits } from '../config.js';
import type { GatewayContext } from '../context.js';
import { toClientError } from '../errors/client-error.js';
import { requestRedactor } from '../errors/request-secrets.js';
import { checkOperationLimits } from '../limits/check-limits.js';

/** Rejects operations past the depth or cost limit once they are parsed and validated, before any resolver runs. */
function limitsPlugin(limits: QueryLimits): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request, schema }) {
          const error = checkOperationLimits(schema, document, operationName, request.variables, limits);
          if (error) {
            error.extensions.http = { status: 400 };
            throw error;
          }
        },
      };
    },
  };
}

/** Masks values of secret-bearing requests (setSecret) in every error message sent back. */
function redactionPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ request }) {
      const redact = requestRedactor(request.query, request.variables);
      if (!redact) return;
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((error) => ({
            ...error,
            message: redact(error.message),
          }));
        },
      };
    },
  };
}

/** Apollo's own messages go to the structured log. */
function apolloLogger(logger: JsonLogger) {
  return {
    debug: (message: unknown) => logger.debug(String(message), 'Apollo'),
    info: (message: unknown) => logger.log(String(message), 'Apollo'),
    warn: (message: unknown) => logger.warn(String(message), 'Apollo'),
    error: (message: unknown) => logger.error(String(message), 'Apollo'),
  };
}

export async function startApollo(schema: GraphQLSchema, limits: QueryLimits, logger: JsonLogger): Promise<ApolloServer<GatewayContext>> {
  const apollo = new ApolloServer<GatewayContext & BaseContext>({
    schema,
    // On for tooling (codegen, IDEs); a token is still required and the limits still apply.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => toClientError(formatted, error, { log: logger }),
    logger: apolloLogger(logger),
    plugins: [ApolloServerPluginLandingPageDisabled(), limitsPlugin(limits), redactionPlugin()],
  });
  await apollo.start();
  return apollo;
}
