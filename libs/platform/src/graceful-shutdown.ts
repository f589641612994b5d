/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits: 0 when it finished in
 * time, 1 when it failed or took longer than `timeoutMs`.
 */
export function onShutdownSignal(
  stop: () => Promise<void>,
  options: { timeoutMs?: number; log?: (message: string) => void } = {},
): () => void {
  const timeoutMs = options.timeoutMs ?? 15_000;
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    options.log?.(`received ${signal}, shutting down (at most ${timeoutMs} ms)`);
    const timer = setTimeout(() => {
      options.log?.(`shutdown took longer than ${timeoutMs} ms; exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        options.log?.(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
