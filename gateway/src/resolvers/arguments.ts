import { badUserInput } from '../errors/gateway-error.js';

/** A whole-number argument within bounds, or BAD_USER_INPUT naming it. */
export function intInRange(value: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(`${field} must be a whole number from ${min} to ${max}, got ${value}`, field);
  }
  return value;
}

/** A string argument no longer than `max`, or BAD_USER_INPUT naming it. */
export function boundedString(value: string, max: number, field: string): string {
  if (value.length > max) throw badUserInput(`${field} is ${value.length} characters long; at most ${max} are allowed`, field);
  return value;
}
