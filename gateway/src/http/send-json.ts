import type { ServerResponse } from 'node:http';
import type { GraphQLFormattedError } from '../graphql.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A GraphQL response carrying only errors, for requests refused before execution. */
export function sendErrors(
  res: ServerResponse,
  status: number,
  errors: readonly GraphQLFormattedError[],
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { errors }, headers);
}
