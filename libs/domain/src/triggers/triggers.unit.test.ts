import { describe, expect, it } from 'vitest';
import { TaskSourceKind } from '@cohort/contracts';
import { cronDue, nextFireTime, validateCron } from './cron.js';
import { parseJsonPath, readJsonPath } from './json-path.js';
import { ticketMatches } from './ticket.js';
import { mapWebhookPayload, validateMapping } from './webhook.js';

const ms = (iso: string) => Date.parse(iso);

describe('cron triggers', () => {
  const weekdays9Berlin = { expression: '0 9 * * 1-5', timezone: 'Europe/Berlin' };

  it('computes the next fire time in the IANA time zone', () => {
    // Friday 2026-01-02 10:00 UTC is 11:00 in Berlin: next is Monday 09:00 Berlin = 08:00 UTC.
    expect(nextFireTime(weekdays9Berlin, ms('2026-01-02T10:00:00Z'))).toBe('2026-01-05T08:00:00.000Z');
  });

  it('follows daylight saving time', () => {
    expect(nextFireTime({ expression: '0 9 * * *', timezone: 'Europe/Berlin' }, ms('2026-07-01T00:00:00Z'))).toBe(
      '2026-07-01T07:00:00.000Z',
    );
  });

  it('reads expressions in UTC by default', () => {
    expect(nextFireTime({ expression: '30 6 * * *' }, ms('2026-01-01T00:00:00Z'))).toBe('2026-01-01T06:30:00.000Z');
  });

  it('says when a schedule never fires again', () => {
    expect(nextFireTime({ expression: '0 0 0 1 1 * 2020' }, ms('2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(cronDue({ expression: '0 0 0 1 1 * 2020' }, undefined, ms('2026-01-01T00:00:00Z'))).toEqual({
      fire: false,
      tick: undefined,
      missed: 0,
      nextCheckAt: undefined,
    });
  });

  it('validates the expression and the time zone with clear messages', () => {
    expect(validateCron(weekdays9Berlin)).toEqual({ ok: true });
    expect(validateCron({ expression: '0 9 * * *', timezone: 'Mars/Olympus' })).toMatchObject({
      ok: false,
      field: 'timezone',
      message: expect.stringContaining('Mars/Olympus'),
    });
    expect(validateCron({ expression: 'every day' })).toMatchObject({ ok: false, field: 'expression' });
  });

  it('does not fire before the first tick', () => {
    const d = cronDue({ expression: '0 * * * *' }, '2026-01-01T10:00:00.000Z', ms('2026-01-01T10:30:00Z'));
    expect(d).toEqual({ fire: false, tick: undefined, missed: 0, nextCheckAt: '2026-01-01T11:00:00.000Z' });
  });

  it('fires once at a tick', () => {
    const d = cronDue({ expression: '0 * * * *' }, '2026-01-01T10:00:00.000Z', ms('2026-01-01T11:00:00Z'));
    expect(d).toEqual({ fire: true, tick: '2026-01-01T11:00:00.000Z', missed: 0, nextCheckAt: '2026-01-01T12:00:00.000Z' });
  });

  it('fires missed ticks once, as the latest of them, after downtime', () => {
    const d = cronDue({ expression: '0 * * * *' }, '2026-01-01T10:00:00.000Z', ms('2026-01-01T15:20:00Z'));
    expect(d).toEqual({ fire: true, tick: '2026-01-01T15:00:00.000Z', missed: 4, nextCheckAt: '2026-01-01T16:00:00.000Z' });
    const again = cronDue({ expression: '0 * * * *' }, d.tick, ms('2026-01-01T15:21:00Z'));
    expect(again.fire).toBe(false);
  });

  it('fires once for the latest tick after a very long downtime', () => {
    const d = cronDue({ expression: '* * * * *' }, '2026-01-01T00:00:00.000Z', ms('2026-01-03T00:00:30Z'));
    expect(d.fire).toBe(true);
    expect(d.tick).toBe('2026-01-03T00:00:00.000Z');
    expect(d.nextCheckAt).toBe('2026-01-03T00:01:00.000Z');
  });

  it('fires a new trigger at its first tick after creation', () => {
    expect(cronDue({ expression: '0 * * * *' }, undefined, ms('2026-01-01T10:59:00Z'), 0, ms('2026-01-01T10:10:00Z')).fire).toBe(false);
    expect(cronDue({ expression: '0 * * * *' }, undefined, ms('2026-01-01T11:00:00Z'), 0, ms('2026-01-01T10:10:00Z')).tick).toBe(
      '2026-01-01T11:00:00.000Z',
    );
  });

  it('delays fires by a deterministic jitter from the seed', () => {
    const s = { expression: '0 * * * *', jitterMs: 60_000 };
    const a = cronDue(s, '2026-01-01T10:00:00.000Z', ms('2026-01-01T10:30:00Z'), 'seed-a');
    expect(a).toEqual(cronDue(s, '2026-01-01T10:00:00.000Z', ms('2026-01-01T10:30:00Z'), 'seed-a'));
    const at = Date.parse(a.nextCheckAt!);
    expect(at).toBeGreaterThanOrEqual(ms('2026-01-01T11:00:00Z'));
    expect(at).toBeLessThan(ms('2026-01-01T11:01:00Z'));
    expect(cronDue(s, '2026-01-01T10:00:00.000Z', at - 1, 'seed-a').fire).toBe(false);
    expect(cronDue(s, '2026-01-01T10:00:00.000Z', at, 'seed-a')).toMatchObject({ fire: true, tick: '2026-01-01T11:00:00.000Z' });
  });
});

describe('webhook triggers', () => {
  const payload = {
    issue: { title: 'Crash', number: 12, labels: ['bug'], 'odd key': 'v' },
    items: [{ id: 'i-1' }, { id: 2 }],
    flag: false,
    none: null,
  };

  it('maps payload fields to params by path', () => {
    expect(
      mapWebhookPayload(
        {
          title: '$.issue.title',
          first: '$.items[0].id',
          second: '$.items[1].id',
          number: '$.issue.number',
          labels: '$.issue.labels',
          flag: '$.flag',
          odd: "$.issue['odd key']",
          dq: '$.issue["title"]',
        },
        payload,
      ),
    ).toEqual({
      ok: true,
      params: { title: 'Crash', first: 'i-1', second: '2', number: '12', labels: '["bug"]', flag: 'false', odd: 'v', dq: 'Crash' },
    });
  });

  it('reports every missing or malformed path at once', () => {
    expect(mapWebhookPayload({ a: '$.issue.body', b: 'issue.title', c: '$.items[5].id', d: '$.none', e: '$.items[*]' }, payload)).toEqual({
      ok: false,
      problems: [
        { param: 'b', message: expect.stringContaining('must start with "$"') },
        { param: 'e', message: expect.stringContaining('not supported') },
        { param: 'a', message: 'payload has no value at $.issue.body' },
        { param: 'c', message: 'payload has no value at $.items[5].id' },
        { param: 'd', message: 'payload has no value at $.none' },
      ],
    });
    expect(validateMapping({ ok: '$.a' })).toEqual([]);
  });

  it('reads paths through arrays and objects only', () => {
    expect(parseJsonPath('$')).toEqual({ ok: true, segments: [] });
    expect(readJsonPath(payload, '$')).toBe(payload);
    expect(readJsonPath(payload, '$.issue[0]')).toBeUndefined();
    expect(readJsonPath(payload, '$.items.id')).toBeUndefined();
    expect(readJsonPath(payload, 'nope')).toBeUndefined();
  });
});

describe('ticket triggers', () => {
  const ticket = { source: TaskSourceKind.GITHUB, labels: ['Cohort', 'bug'] };
  it.each([
    ['matches any of the labels, ignoring case', { source: TaskSourceKind.GITHUB, labels: ['cohort', 'x'] }, true],
    ['matches all of the labels', { source: TaskSourceKind.GITHUB, labels: ['cohort', 'BUG'], match: 'all' as const }, true],
    [
      'does not match when one of all labels is missing',
      { source: TaskSourceKind.GITHUB, labels: ['cohort', 'x'], match: 'all' as const },
      false,
    ],
    ['does not match when none of the labels is present', { source: TaskSourceKind.GITHUB, labels: ['x'] }, false],
    ['does not match another source', { source: TaskSourceKind.LINEAR, labels: ['cohort'] }, false],
    ['matches every ticket of the source without labels', { source: TaskSourceKind.GITHUB, labels: [] }, true],
  ])('%s', (_n, trigger, expected) => {
    expect(ticketMatches(trigger, ticket)).toBe(expected);
  });
});
