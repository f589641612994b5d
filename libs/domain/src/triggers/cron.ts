import { Cron } from 'croner';
import { seededFraction } from '../policy.js';

export interface CronSchedule {
  /** Five or six field cron expression, e.g. "0 9 * * 1-5". */
  readonly expression: string;
  /** IANA time zone the expression is read in, e.g. "Europe/Berlin". @default "UTC" */
  readonly timezone?: string;
  /** Each fire is delayed by up to this many milliseconds, chosen from the seed. @default 0 */
  readonly jitterMs?: number;
}

export type CronCheck = { readonly ok: true } | { readonly ok: false; readonly field: 'expression' | 'timezone'; readonly message: string };

export function validateCron(schedule: CronSchedule): CronCheck {
  const timezone = schedule.timezone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return {
      ok: false,
      field: 'timezone',
      message: `time zone "${timezone}" is not an IANA time zone (e.g. "Europe/Berlin", "America/New_York", "UTC")`,
    };
  }
  try {
    build(schedule);
  } catch (e) {
    return { ok: false, field: 'expression', message: `cron expression "${schedule.expression}" is invalid: ${(e as Error).message}` };
  }
  return { ok: true };
}

function build(schedule: CronSchedule): Cron {
  // No callback: croner only computes times and never starts a timer.
  return new Cron(schedule.expression, { timezone: schedule.timezone ?? 'UTC', paused: true });
}

/** The first scheduled time strictly after `afterMs`, as RFC 3339, or undefined if the schedule never fires again. */
export function nextFireTime(schedule: CronSchedule, afterMs: number): string | undefined {
  const next = build(schedule).nextRun(new Date(afterMs));
  return next === null ? undefined : next.toISOString();
}

export interface CronDecision {
  /** Fire now (once, however many ticks were missed). */
  readonly fire: boolean;
  /** The scheduled tick this fire stands for (the latest one missed); use it in the dedupe id. */
  readonly tick: string | undefined;
  /** Ticks that passed unfired and are folded into this one fire (0 when on time). */
  readonly missed: number;
  /** When to look again: the next tick after now, jitter included. */
  readonly nextCheckAt: string | undefined;
}

const MAX_MISSED_COUNTED = 1000;

/**
 * Level-triggered cron: given when it last fired (the scheduled tick, not the
 * wall time) and the time now, says whether to fire. Ticks missed while the
 * scheduler was down fire once, as the latest of them. `lastTick` undefined
 * means the trigger is new: it fires at its first tick after `createdAtMs`.
 */
export function cronDue(
  schedule: CronSchedule,
  lastTick: string | undefined,
  nowMs: number,
  seed: number | string = 0,
  createdAtMs = nowMs,
): CronDecision {
  const cron = build(schedule);
  const jitter = (tick: Date): number => Math.floor((schedule.jitterMs ?? 0) * seededFraction(seed, tick.toISOString()));
  let cursor = cron.nextRun(new Date(lastTick !== undefined ? Date.parse(lastTick) : createdAtMs));
  let latestDue: Date | undefined;
  let count = 0;
  while (cursor !== null && cursor.getTime() + jitter(cursor) <= nowMs && count < MAX_MISSED_COUNTED) {
    latestDue = cursor;
    count += 1;
    cursor = cron.nextRun(cursor);
  }
  if (latestDue !== undefined && count >= MAX_MISSED_COUNTED) {
    // Down for very long: jump straight to the last tick before now.
    const before = cron.nextRun(new Date(nowMs));
    latestDue = cron.previousRuns(1, before ?? new Date(nowMs))[0] ?? latestDue;
    cursor = before;
  }
  const nextCheckAt = cursor === null ? undefined : new Date(cursor.getTime() + jitter(cursor)).toISOString();
  if (latestDue === undefined) return { fire: false, tick: undefined, missed: 0, nextCheckAt };
  return { fire: true, tick: latestDue.toISOString(), missed: count - 1, nextCheckAt };
}
