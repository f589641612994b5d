import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CommandErrorCode } from '@cohort/contracts';
import { GraphQLError } from '../graphql.js';
import { cancelTaskCall, createTaskCall, registerRepoCall, submitReviewCall, updateRepoCall } from '../resolvers/command-inputs.js';
import { commandError } from '../resolvers/send-command.js';
import { toClientError } from './client-error.js';
import { requestRedactor } from './request-secrets.js';

const quietLog = () => {
  const lines: string[] = [];
  return { lines, log: { error: (message: string) => lines.push(message) } };
};

function asClient(error: unknown) {
  const graphqlError = error instanceof GraphQLError ? error : new GraphQLError('wrapped', { originalError: error as Error });
  const { lines, log } = quietLog();
  return { formatted: toClientError(graphqlError.toJSON(), graphqlError, { log, newId: () => 'corr-1' }), lines };
}

describe('toClientError', () => {
  it('turns an unexpected error into INTERNAL with a correlation id, logging the details and sending none', () => {
    const { formatted, lines } = asClient(new TypeError('cannot read x of undefined at /srv/secret/path.ts:12'));
    expect(formatted).toEqual({
      message: 'internal error; quote correlation id corr-1 when reporting it',
      extensions: { code: 'INTERNAL', correlationId: 'corr-1' },
    });
    expect(lines[0]).toContain('corr-1');
    expect(lines[0]).toContain('cannot read x');
  });

  it('reports Postgres being down as UNAVAILABLE, saying that mutations still work', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { name: 'ReadModelUnavailable' });
    const { formatted } = asClient(down);
    expect(formatted.extensions).toMatchObject({ code: 'UNAVAILABLE', correlationId: 'corr-1' });
    expect(formatted.message).toContain('Postgres');
    expect(formatted.message).toContain('mutations');
    expect(formatted.message).not.toContain('ECONNREFUSED');
  });

  it('keeps errors raised on purpose as they are, without stack traces', () => {
    const error = new GraphQLError('to (2026-01-01) is before from', { extensions: { code: 'BAD_USER_INPUT', field: 'to' } });
    const formatted = toClientError({ ...error.toJSON(), extensions: { ...error.extensions, stacktrace: ['at x'] } }, error, quietLog());
    expect(formatted).toEqual({ message: 'to (2026-01-01) is before from', extensions: { code: 'BAD_USER_INPUT', field: 'to' } });
  });

  it('names the field of a read query the read model refused', () => {
    const invalid = Object.assign(new Error('cursor "zz" is not one this list gave out'), { name: 'InvalidReadQuery', field: 'after' });
    expect(asClient(invalid).formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('commandError', () => {
  const refusal = (code: CommandErrorResultCode, field = '', message = 'm') => ({ code, message, field, correlationId: 'c-9' });
  type CommandErrorResultCode = Exclude<CommandErrorCode, CommandErrorCode.UNSPECIFIED>;

  it.each<[CommandErrorResultCode, string]>([
    [CommandErrorCode.VALIDATION, 'BAD_USER_INPUT'],
    [CommandErrorCode.NOT_FOUND, 'NOT_FOUND'],
    [CommandErrorCode.CONFLICT, 'CONFLICT'],
    [CommandErrorCode.UNAVAILABLE, 'UNAVAILABLE'],
    [CommandErrorCode.INTERNAL, 'INTERNAL'],
  ])('maps %s to %s', (code, expected) => {
    expect(commandError(refusal(code), cancelTaskCall('t', null)).extensions.code).toBe(expected);
  });

  it('keeps the service internals out of INTERNAL, quoting its correlation id', () => {
    const error = commandError(refusal(CommandErrorCode.INTERNAL, '', 'pg exploded at line 3'), cancelTaskCall('t', null));
    expect(error.message).not.toContain('pg exploded');
    expect(error.extensions).toMatchObject({ correlationId: 'c-9', service: 'intake' });
  });

  it.each([
    [createTaskCall({ kind: 'repo', title: 't' }), 'repoId', 'input.repoId'],
    [createTaskCall({ kind: 'standalone', title: 't' }), 'params.ticket', 'input.params.ticket'],
    [createTaskCall({ kind: 'standalone', title: 't' }), 'budget_usd', 'input.budgetUsd'],
    [cancelTaskCall('t', null), 'taskId', 'id'],
    [submitReviewCall({ taskId: 't', verdict: 'approved' }), 'comments[0].line', 'input.comments[0].line'],
  ])('names the offending field in the mutation’s terms (%#)', (call, commandField, expected) => {
    expect(commandError(refusal(CommandErrorCode.VALIDATION, commandField), call).extensions.field).toBe(expected);
  });

  it('maps repository settings fields to the RepoInput fields', () => {
    const input = {
      name: 'acme/web',
      url: '/r',
      forge: 'local' as const,
      defaultBranch: 'main',
      autoMerge: false,
      approvalRequired: false,
      cautious: false,
      reviewAgentEnabled: false,
      maxConcurrency: 0,
    };
    const field = (call: ReturnType<typeof registerRepoCall>, f: string) =>
      commandError(refusal(CommandErrorCode.VALIDATION, f), call).extensions.field;
    expect(field(registerRepoCall(input), 'settings.defaultBranch')).toBe('input.defaultBranch');
    expect(field(registerRepoCall(input), 'settings.policy.autoMerge')).toBe('input.autoMerge');
    expect(field(registerRepoCall(input), 'settings.policy.reviewAgent.enabled')).toBe('input.reviewAgentEnabled');
    expect(field(updateRepoCall('acme-web', input), 'repoId')).toBe('id');
  });
});

describe('requestRedactor', () => {
  it('never lets a setSecret value through an error message, as a literal or a variable (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 40 }).filter((s) => !/["\\\n]/.test(s) && s.trim().length >= 4),
        (secret) => {
          const literal = `mutation { setSecret(name: "GH", value: "${secret}") { id } }`;
          const viaLiteral = requestRedactor(literal, undefined)!;
          expect(viaLiteral(`Expected type, found "${secret}".`)).not.toContain(secret);
          const viaVariable = requestRedactor('mutation ($v: String!) { setSecret(name: "GH", value: $v) { id } }', { v: secret })!;
          expect(viaVariable(`Variable "$v" got invalid value "${secret}"`)).not.toContain(secret);
        },
      ),
    );
  });

  it('masks numbers given where a secret string was expected', () => {
    const redact = requestRedactor('mutation { setSecret(name: "GH", value: 987654321) { id } }', undefined)!;
    expect(redact('String cannot represent a non string value: 987654321')).not.toContain('987654321');
  });

  it('leaves requests that carry no secret alone', () => {
    expect(requestRedactor('{ tasks { totalCount } }', {})).toBeUndefined();
  });
});
