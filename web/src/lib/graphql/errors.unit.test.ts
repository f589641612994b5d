import { describe, expect, it } from 'vitest';
import { errorFromGraphQL, errorFromStatus, fieldErrors, formField } from './errors.js';

describe('errorFromGraphQL', () => {
  it('keeps the code, the field and every error', () => {
    const error = errorFromGraphQL([
      { message: 'repo "x" is not registered', extensions: { code: 'BAD_USER_INPUT', field: 'input.repoId' } },
      { message: 'title is empty', extensions: { code: 'BAD_USER_INPUT', field: 'input.title' } },
    ]);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.field).toBe('input.repoId');
    expect(error.all).toHaveLength(2);
  });

  it('adds the correlation id of an internal error so it can be reported', () => {
    const error = errorFromGraphQL([{ message: 'Something failed', extensions: { code: 'INTERNAL', correlationId: 'c-42' } }]);
    expect(error.message).toBe('Something failed (ref c-42)');
    expect(error.correlationId).toBe('c-42');
  });

  it('treats a missing code as INTERNAL', () => {
    expect(errorFromGraphQL([{ message: 'x' }]).code).toBe('INTERNAL');
    expect(errorFromGraphQL([{ message: 'x', extensions: { code: 'UNAUTHENTICATED' } }]).isAuth).toBe(true);
  });
});

describe('errorFromStatus', () => {
  it.each([
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [413, 'BAD_USER_INPUT'],
    [502, 'UNAVAILABLE'],
    [404, 'INTERNAL'],
  ])('%i → %s', (status, code) => {
    expect(errorFromStatus(status, 'x').code).toBe(code);
  });
});

describe('fieldErrors', () => {
  it('keys input errors by form field and puts the rest under ""', () => {
    const error = errorFromGraphQL([
      { message: 'unknown repo', extensions: { code: 'BAD_USER_INPUT', field: 'input.repoId' } },
      { message: 'ticket is required', extensions: { code: 'BAD_USER_INPUT', field: 'params.ticket' } },
      { message: 'no field', extensions: { code: 'BAD_USER_INPUT' } },
    ]);
    expect(fieldErrors(error)).toEqual({ repoId: 'unknown repo', 'params.ticket': 'ticket is required', '': 'no field' });
  });

  it('shows errors that are not about input as a general error', () => {
    expect(fieldErrors(errorFromGraphQL([{ message: 'intake is not answering', extensions: { code: 'UNAVAILABLE' } }]))).toEqual({
      '': 'intake is not answering',
    });
  });

  it.each([
    ['input.title', 'title'],
    ['input.params.ticket', 'params.ticket'],
    ['params.ticket', 'params.ticket'],
    ['name', 'name'],
  ])('formField(%s) = %s', (path, field) => {
    expect(formField(path)).toBe(field);
  });
});
