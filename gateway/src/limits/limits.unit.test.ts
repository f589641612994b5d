import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getIntrospectionQuery, getOperationAST, parse, validate } from '../graphql.js';
import { buildSchema } from '../schema/build-schema.js';
import { checkOperationLimits, checkQueryLength } from './check-limits.js';
import { measureOperation } from './measure-operation.js';

const schema = buildSchema();
const LIMITS = { maxDepth: 10, maxCost: 5000, listSize: 10, maxQueryLength: 50_000, maxBodyBytes: 1 << 20 };

function measure(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  return measureOperation(schema, document, getOperationAST(document)!, variables, LIMITS.listSize);
}

describe('measureOperation', () => {
  it.each([
    ['{ templates { id } }', 2, 10, 0],
    ['{ task(id: "t") { id title } }', 2, 1, 0],
    ['{ tasks { nodes { id } } }', 3, 50 * 2, 0],
    ['{ tasks(first: 5) { totalCount nodes { id } } }', 3, 5 * 2, 0],
    ['{ tasks(first: 5) { nodes { runs { id } } } }', 4, 5 * (1 + 1 * (1 + 10)), 0],
    ['{ task(id: "t") { timeline(first: 3) { nodes { eventId } } } }', 4, 1 + 3 * 2, 0],
    ['{ task(id: "t") { logs(limit: 7) { lines { seq } } } }', 4, 1 + 7 * 2, 0],
    ['{ readSide { head } __typename }', 2, 1, 0],
    ['{ __schema { types { name fields { name type { ofType { ofType { name } } } } } } }', 5, 0, 1 + 10 * (1 + 10 * (1 + 1 + 1 + 1))],
  ])('measures %s as depth %i, cost %i and introspection cost %i', (query, depth, cost, introspectionCost) => {
    expect(measure(query)).toEqual({ depth, cost, introspectionCost });
  });

  it('takes first from variables, and the schema default when the variable is not given', () => {
    const query = 'query Q($n: Int) { tasks(first: $n) { nodes { id } } }';
    expect(measure(query, { n: 3 }).cost).toBe(3 * 2);
    expect(measure('query Q($n: Int = 7) { tasks(first: $n) { nodes { id } } }', {}).cost).toBe(50 * 2);
  });

  it('counts fragments as if they were written inline', () => {
    const inline = measure('{ tasks(first: 4) { nodes { id runs { id } pullRequest { checks { name } } } } }');
    const spread = measure(
      'fragment R on Run { id } fragment T on Task { id runs { ...R } pullRequest { ... on PullRequest { checks { name } } } } { tasks(first: 4) { nodes { ...T } } }',
    );
    expect(spread).toEqual(inline);
  });

  it('gives depth k + 1 to k nested objects with a leaf, whatever aliases and __typename are added (property)', () => {
    const chain: Array<[string, string]> = [
      ['tasks(first: 1)', 'totalCount'],
      ['nodes', 'id'],
      ['pullRequest', 'url'],
      ['reviews', 'body'],
      ['comments', 'line'],
    ];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: chain.length }), fc.boolean(), (k, typename) => {
        const open = chain.slice(0, k).map(([field], i) => `a${i}: ${field} {${typename ? ' __typename' : ''}`);
        const query = `{ ${open.join(' ')} ${chain[k - 1]![1]}${' }'.repeat(k)} }`;
        expect(measure(query).depth).toBe(k + 1);
      }),
    );
  });

  it('does not count the ofType chain of introspection towards depth (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), (n) => {
        const query = `{ __type(name: "Task") { fields { type { ${'ofType { '.repeat(n)}name${' }'.repeat(n)} } } } }`;
        expect(measure(query).depth).toBe(4);
      }),
    );
  });

  it('grows the cost with first and never lets it go below the number of items asked for (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), (a, b) => {
        const cost = (n: number) => measure(`{ tasks(first: ${n}) { nodes { id runs { id } } } }`).cost;
        expect(cost(a) <= cost(b)).toBe(a <= b);
        expect(cost(a)).toBeGreaterThanOrEqual(a);
      }),
      { numRuns: 50 },
    );
  });
});

describe('checkOperationLimits', () => {
  const check = (query: string, limits = LIMITS) => {
    const document = parse(query);
    return checkOperationLimits(schema, document, undefined, undefined, limits);
  };

  it('lets the dashboard-sized queries through', () => {
    expect(check('{ tasks(first: 200) { totalCount nodes { id title state stage repo { name } runs { id status } } } }')).toBeUndefined();
    expect(
      check(
        '{ task(id: "t") { id runs { id } workspace { id } pullRequest { checks { name } reviews { comments { body } } } timeline { nodes { eventId data } } logs { lines { seq text } } pipeline { stage status } } }',
      ),
    ).toBeUndefined();
  });

  it('refuses a query nested deeper than allowed with QUERY_TOO_DEEP, naming both depths', () => {
    const error = check('{ tasks(first: 1) { nodes { pullRequest { reviews { comments { body } } } } } }', { ...LIMITS, maxDepth: 5 });
    expect(error?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: 5, actual: 6 });
    expect(error?.message).toContain('6 levels deep; at most 5');
  });

  it('refuses nested pages that multiply past the cost limit with QUERY_TOO_COSTLY', () => {
    const error = check('{ tasks(first: 200) { nodes { timeline(first: 200) { nodes { eventId } } } } }');
    expect(error?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', limit: 5000 });
    expect(error?.message).toMatch(/estimated cost is \d+; at most 5000/);
  });

  it('refuses an over-long query text with QUERY_TOO_LONG', () => {
    expect(checkQueryLength('{ templates { id } }', { maxQueryLength: 100 })).toBeUndefined();
    expect(checkQueryLength('x'.repeat(101), { maxQueryLength: 100 })?.extensions).toMatchObject({ code: 'QUERY_TOO_LONG', actual: 101 });
  });

  it('accepts the standard introspection query under the default limits', () => {
    expect(check(getIntrospectionQuery())).toBeUndefined();
  });

  it('refuses introspection that nests fields { type { fields } } to multiply the work', () => {
    const error = check('{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }');
    expect(error?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', limit: 50_000 });
    expect(error?.message).toContain('introspection part');
  });
});
