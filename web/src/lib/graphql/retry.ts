import { backoffMs } from './client.js';
import { GatewayError } from './errors.js';

/** Codes of failures that go away on their own: the gateway, a service or Postgres is (re)starting. */
const TRANSIENT = new Set(['UNAVAILABLE', 'NETWORK']);

export const isTransient = (error: unknown): boolean => error instanceof GatewayError && TRANSIENT.has(error.code);

/**
 * Re-runs a page's load after a transient failure, with backoff, while the page
 * is open; the page shows the error meanwhile and clears it once a load succeeds.
 */
export class RetryTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempts = 0;
  private stopped = false;

  constructor(private readonly capMs = 10_000) {}

  /** Schedules `run` again when `error` is transient; returns whether it did. */
  schedule(run: () => unknown, error: unknown): boolean {
    if (this.stopped || !isTransient(error)) return false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void run(), backoffMs(this.attempts++, this.capMs));
    return true;
  }

  /** A load succeeded: the next failure starts the backoff afresh. */
  reset(): void {
    this.attempts = 0;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
