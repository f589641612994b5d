import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLFieldResolver, GraphQLSchema } from '../graphql.js';
import { requireScope } from '../auth/authenticate.js';
import { requiredScope } from '../auth/required-scopes.js';
import type { GatewayContext } from '../context.js';
import { mutationResolvers } from '../resolvers/mutation-resolvers.js';
import { queryResolvers } from '../resolvers/query-resolvers.js';
import { runResolvers } from '../resolvers/run-resolvers.js';
import { taskResolvers } from '../resolvers/task-resolvers.js';
import { loadSchemaSdl } from './load-schema-sdl.js';
import { DateScalar, DateTimeScalar, JsonScalar, PositionScalar } from './scalars.js';

type Resolver = GraphQLFieldResolver<unknown, GatewayContext, never>;

/** A Subscription field: `subscribe` yields payloads, `resolve` (optional) maps each to the field's value. */
export interface SubscriptionField {
  subscribe: (...args: never[]) => unknown;
  resolve?: (...args: never[]) => unknown;
}

/** Every root field checks its token's scope before anything else runs. */
function guarded(operationType: string, field: string, resolver: Resolver): Resolver {
  const needed = requiredScope(operationType, field);
  return (parent, args, context, info) => {
    requireScope(context.principal, needed, field);
    return resolver(parent, args, context, info);
  };
}

function guardAll(operationType: string, resolvers: Record<string, Resolver>): Record<string, Resolver> {
  return Object.fromEntries(Object.entries(resolvers).map(([field, resolver]) => [field, guarded(operationType, field, resolver)]));
}

/** The executable schema: the committed SDL with the gateway's resolvers and scalars. */
export function buildSchema(subscriptions: Record<string, SubscriptionField> = {}): GraphQLSchema {
  const subscription = Object.fromEntries(
    Object.entries(subscriptions).map(([field, definition]) => [
      field,
      { ...definition, subscribe: guarded('Subscription', field, definition.subscribe as unknown as Resolver) },
    ]),
  );
  return makeExecutableSchema<GatewayContext>({
    typeDefs: loadSchemaSdl(),
    resolvers: {
      DateTime: DateTimeScalar,
      Date: DateScalar,
      JSON: JsonScalar,
      Position: PositionScalar,
      Query: guardAll('Query', queryResolvers as unknown as Record<string, Resolver>),
      Mutation: guardAll('Mutation', mutationResolvers as unknown as Record<string, Resolver>),
      ...(Object.keys(subscription).length > 0 ? { Subscription: subscription } : {}),
      Task: taskResolvers,
      Run: runResolvers,
    },
  });
}
