import type { CliConfig } from '../config.js';
import { localNatsPaths, stopLocalNats } from '../local-nats.js';

export function runDown(config: CliConfig, say: (line: string) => void): void {
  say(
    stopLocalNats(localNatsPaths(config.dataDir))
      ? 'nats      stopped the nats-server started by up'
      : 'nats      nothing started by up is running',
  );
}
