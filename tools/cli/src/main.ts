import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runDoctor, formatDoctor } from './commands/doctor.js';
import { runDown } from './commands/down.js';
import { formatStatus, isHealthy, runStatus } from './commands/status.js';
import { detachUp, endpointLines, runningUp, runServicesInForeground, startInfrastructure } from './commands/up.js';
import { readCliConfig } from './config.js';
import { USAGE, UsageError } from './usage.js';
import { logsVerb } from './verbs/logs-verb.js';
import { projectionsVerb } from './verbs/projections-verb.js';
import { repoVerb } from './verbs/repo-verb.js';
import { reviewVerb } from './verbs/review-verb.js';
import { taskVerb } from './verbs/task-verb.js';

/** Verbs that parse their own arguments. */
const VERBS: Record<string, (args: string[], config: ReturnType<typeof readCliConfig>) => Promise<number>> = {
  repo: repoVerb,
  task: taskVerb,
  review: reviewVerb,
  logs: logsVerb,
  projections: projectionsVerb,
};

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

async function main(argv: string[]): Promise<number> {
  const verb = argv[0] && VERBS[argv[0]];
  if (verb) return verb(argv.slice(1), readCliConfig(process.env, repoRoot));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      detach: { type: 'boolean', short: 'd', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (!command) throw new UsageError('no command given');
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" for "${command}"`);
  const config = readCliConfig(process.env, repoRoot);
  const say = values.json ? () => undefined : (line: string) => console.log(line);
  switch (command) {
    case 'doctor': {
      const results = await runDoctor(config);
      console.log(values.json ? JSON.stringify(results) : formatDoctor(results));
      return results.every((r) => r.ok) ? 0 : 1;
    }
    case 'up': {
      const running = runningUp(config);
      if (running) throw new Error(`Cohort is already up (pid ${running}) for ${config.dataDir}; ./cohort down stops it`);
      const infrastructure = await startInfrastructure(config, repoRoot, say);
      if (values.detach) {
        const detached = detachUp(config, repoRoot);
        if (values.json) console.log(JSON.stringify({ ...infrastructure.report, supervisorPid: detached.pid, log: detached.log }));
        say(`services  starting in the background (pid ${detached.pid}); logs in ${detached.log}`);
        say('');
        for (const line of endpointLines(infrastructure.report)) say(line);
        say('Stop it with ./cohort down.');
        return 0;
      }
      await runServicesInForeground(
        config,
        repoRoot,
        infrastructure,
        say,
        values.json ? (report) => console.log(JSON.stringify(report)) : undefined,
      );
      return 0;
    }
    case 'status': {
      const status = await runStatus(config);
      console.log(values.json ? JSON.stringify(status) : formatStatus(status));
      return isHealthy(status) ? 0 : 1;
    }
    case 'down':
      await runDown(config, say);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Exits once stdout is flushed: exiting at once cuts off long output written to a pipe. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(
  (code) => exitAfterFlush(code),
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      console.error(`cohort: ${(error as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`cohort: ${(error as Error).message}`);
    process.exit(1);
  },
);
