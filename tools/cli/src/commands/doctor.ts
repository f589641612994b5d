import type { CliConfig } from '../config.js';
import type { CheckResult } from '../doctor/check.js';
import { checkNats } from '../doctor/check-nats.js';
import { checkNode } from '../doctor/check-node.js';
import { checkPostgres } from '../doctor/check-postgres.js';

export async function runDoctor(config: CliConfig): Promise<CheckResult[]> {
  const [nats, postgres] = await Promise.all([checkNats(config.natsUrl), checkPostgres(config.databaseUrl, config.dataDir)]);
  return [checkNode(), ...nats, postgres];
}

export function formatDoctor(results: readonly CheckResult[]): string {
  return results
    .map((r) => (r.ok ? `ok    ${r.name.padEnd(10)} ${r.detail}` : `FAIL  ${r.name.padEnd(10)} ${r.detail}\n      fix: ${r.fix}`))
    .join('\n');
}
