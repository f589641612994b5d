import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from '../graphql.js';

/** Largest position a client may send: a uint64, as JetStream sequences are. */
const MAX_POSITION = 2n ** 64n - 1n;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function invalid(scalar: string, value: unknown, accepted: string): GraphQLError {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value) : String(value);
  return new GraphQLError(`${scalar} cannot be ${shown}: ${accepted}`, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Parses a Position from a client: a decimal string (or a safe integer) from 0 to 2^64-1. */
export function parsePosition(value: unknown): bigint {
  const accepted = 'use a decimal string of a whole number from 0 to 18446744073709551615, e.g. "42"';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw invalid('Position', value, accepted);
    return BigInt(value);
  }
  if (typeof value !== 'string' || !/^(0|[1-9]\d{0,19})$/.test(value)) throw invalid('Position', value, accepted);
  const position = BigInt(value);
  if (position > MAX_POSITION) throw invalid('Position', value, accepted);
  return position;
}

/** Renders a Position for a client: always a decimal string, exact beyond 2^53. */
export function serializePosition(value: unknown): string {
  if (typeof value === 'bigint' && value >= 0n) return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^(0|[1-9]\d*)$/.test(value)) return value;
  throw new Error(`Position cannot serialize ${String(value)}`);
}

/** Parses a calendar day `YYYY-MM-DD` that exists (no 2024-02-30). */
export function parseDate(value: unknown): string {
  const accepted = 'use a calendar day as YYYY-MM-DD, e.g. "2026-01-31"';
  if (typeof value !== 'string') throw invalid('Date', value, accepted);
  const match = DATE.exec(value);
  if (!match) throw invalid('Date', value, accepted);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw invalid('Date', value, `${value} is not a day of the calendar; ${accepted}`);
  }
  return value;
}

/** Parses an ISO-8601 instant with a zone and returns it normalised to UTC. */
export function parseDateTime(value: unknown): string {
  const accepted = 'use an ISO-8601 instant with a time zone, e.g. "2026-01-31T12:00:00Z"';
  if (typeof value !== 'string' || !DATE_TIME.test(value)) throw invalid('DateTime', value, accepted);
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid('DateTime', value, accepted);
  return new Date(time).toISOString();
}

function serializeDateTime(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  throw new Error(`DateTime cannot serialize ${String(value)}`);
}

function literalString(scalar: string, ast: ValueNode): unknown {
  if (ast.kind === Kind.STRING) return ast.value;
  if (ast.kind === Kind.INT) return scalar === 'Position' ? Number(ast.value) : ast.value;
  throw invalid(
    scalar,
    ast.kind === Kind.ENUM || ast.kind === Kind.FLOAT || ast.kind === Kind.BOOLEAN ? ast.value : ast.kind,
    'see the schema',
  );
}

function jsonLiteral(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((item) => jsonLiteral(item, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, jsonLiteral(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    case Kind.ENUM:
      return ast.value;
  }
}

export const PositionScalar = new GraphQLScalarType({
  name: 'Position',
  serialize: serializePosition,
  parseValue: (value) => parsePosition(value),
  parseLiteral: (ast) => parsePosition(literalString('Position', ast)),
});

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  serialize: (value) => (typeof value === 'string' ? value.slice(0, 10) : serializeDateTime(value).slice(0, 10)),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(literalString('Date', ast)),
});

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: serializeDateTime,
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(literalString('DateTime', ast)),
});

export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => jsonLiteral(ast, variables),
});
