export interface BackoffOptions {
  /** Delay before the first redelivery. @default 1000 */
  readonly initialDelayMs?: number;
  /** Upper bound for any delay. @default 60000 */
  readonly maxDelayMs?: number;
}

/** Exponential delay before redelivering a message that failed on its `deliveryCount`-th delivery (1-based). */
export function retryDelayMs(deliveryCount: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 60_000;
  const exponent = Math.max(0, Math.min(deliveryCount - 1, 30));
  return Math.min(max, initial * 2 ** exponent);
}
