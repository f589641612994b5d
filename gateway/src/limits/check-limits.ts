import { getOperationAST, type DocumentNode, type GraphQLError, type GraphQLSchema } from '../graphql.js';
import type { QueryLimits } from '../config.js';
import { ErrorCode, gatewayError } from '../errors/gateway-error.js';
import { measureOperation } from './measure-operation.js';

/**
 * Budget of the introspection part of an operation. Introspection is answered
 * from memory, so it has its own, larger budget: the standard introspection query
 * of this schema costs about 16 000, while nesting `fields { type { fields ... } } }`
 * to multiply the work runs past it.
 */
export const INTROSPECTION_MAX_COST = 50_000;

/** Rejects a query text longer than allowed, before it is parsed. */
export function checkQueryLength(query: unknown, limits: Pick<QueryLimits, 'maxQueryLength'>): GraphQLError | undefined {
  if (typeof query !== 'string' || query.length <= limits.maxQueryLength) return undefined;
  return gatewayError(
    ErrorCode.QUERY_TOO_LONG,
    `the query is ${query.length} characters long; at most ${limits.maxQueryLength} are allowed`,
    { limit: limits.maxQueryLength, actual: query.length },
  );
}

/** Rejects a validated operation that nests too deep or would cost too much. */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | undefined,
  limits: QueryLimits,
): GraphQLError | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const { depth, cost, introspectionCost } = measureOperation(schema, document, operation, variables, limits.listSize);
  if (depth > limits.maxDepth) {
    return gatewayError(ErrorCode.QUERY_TOO_DEEP, `the query nests fields ${depth} levels deep; at most ${limits.maxDepth} are allowed`, {
      limit: limits.maxDepth,
      actual: depth,
    });
  }
  if (cost > limits.maxCost) {
    return gatewayError(
      ErrorCode.QUERY_TOO_COSTLY,
      `the query's estimated cost is ${cost}; at most ${limits.maxCost} is allowed: ask for fewer items with first/limit, or fewer nested lists (a list without first/limit counts as ${limits.listSize} items)`,
      { limit: limits.maxCost, actual: cost },
    );
  }
  if (introspectionCost > INTROSPECTION_MAX_COST) {
    return gatewayError(
      ErrorCode.QUERY_TOO_COSTLY,
      `the query's introspection part has an estimated cost of ${introspectionCost}; at most ${INTROSPECTION_MAX_COST} is allowed: nest fields { type { fields } } less deeply`,
      { limit: INTROSPECTION_MAX_COST, actual: introspectionCost },
    );
  }
  return undefined;
}
