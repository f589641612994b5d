import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { GraphQLError } from '../graphql.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext, GatewayServices } from '../context.js';
import { authenticate } from '../auth/authenticate.js';
import { toClientError } from '../errors/client-error.js';
import { ErrorCode, gatewayError } from '../errors/gateway-error.js';
import { checkQueryLength } from '../limits/check-limits.js';
import { applyCors } from './cors.js';
import { BodyTooLarge, readBody } from './read-body.js';
import { sendErrors, sendJson } from './send-json.js';

export const GRAPHQL_PATH = '/graphql';

export interface HttpHandlerDeps {
  readonly config: Pick<GatewayConfig, 'corsOrigins' | 'limits'>;
  readonly apollo: ApolloServer<GatewayContext>;
  readonly services: GatewayServices;
  readonly readiness: () => Promise<{ ready: boolean; body: unknown }>;
}

/** Serves GraphQL over HTTP on /graphql, and /healthz and /readyz, on the gateway's one port. */
export function gatewayHttpHandler(deps: HttpHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { services } = deps;
  const refuse = (res: ServerResponse, status: number, error: GraphQLError, headers: Record<string, string> = {}) =>
    sendErrors(res, status, [toClientError(error.toJSON(), error, { log: services.logger })], headers);

  const serveGraphql = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (!applyCors(req, res, deps.config.corsOrigins)) {
      return refuse(
        res,
        403,
        gatewayError(ErrorCode.FORBIDDEN, `origin ${req.headers.origin} may not call this gateway; add it to GATEWAY_CORS_ORIGINS`),
      );
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      return res.end();
    }
    let body: unknown;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, deps.config.limits.maxBodyBytes);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        return refuse(res, 413, gatewayError(ErrorCode.REQUEST_TOO_LARGE, error.message, { limit: error.limit }), { connection: 'close' });
      }
      const type = req.headers['content-type'] ?? '';
      if (/^application\/(graphql-response\+)?json\b/i.test(type)) {
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          return refuse(res, 400, gatewayError(ErrorCode.BAD_REQUEST, 'the request body is not valid JSON'));
        }
      } else {
        body = text;
      }
    }
    const auth = await authenticate(services.tokens, req.headers.authorization);
    if (!auth.ok) return refuse(res, auth.status, auth.error, auth.status === 401 ? { 'www-authenticate': 'Bearer' } : {});

    const query = req.method === 'GET' ? url.searchParams.get('query') : (body as { query?: unknown } | undefined)?.query;
    const tooLong = checkQueryLength(query, deps.config.limits);
    if (tooLong) return refuse(res, 400, tooLong);

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const principal = auth.principal;
    const response = await deps.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => ({ principal, services }),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') return res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const handle = async () => {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok', service: 'gateway' });
      if (url.pathname === '/readyz') {
        const report = await deps.readiness();
        return sendJson(res, report.ready ? 200 : 503, report.body);
      }
      if (url.pathname === GRAPHQL_PATH) return serveGraphql(req, res, url);
      sendJson(res, 404, { error: `no such endpoint ${url.pathname}: use ${GRAPHQL_PATH}, /healthz or /readyz` });
    };
    handle().catch((error: unknown) => {
      const formatted = toClientError({ message: 'internal' }, error, { log: services.logger });
      if (!res.headersSent) sendErrors(res, 500, [formatted]);
      else res.destroy();
    });
  };
}
