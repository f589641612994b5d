import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvReader, readServiceBasics, type ServiceBasics } from '@cohort/platform';

/** Where env for a run comes from when `connections` is asked: see the README. */
export type ResolveRunEnv = (request: {
  readonly taskId: string;
  readonly runId: string;
  readonly repoId: string;
}) => Promise<Readonly<Record<string, string>>>;

export interface AgentRuntimeConfig extends ServiceBasics {
  /**
   * How often a running agent's heartbeat is written to the heartbeat bucket.
   * @default 2000
   */
  readonly heartbeatMs: number;
  /**
   * Agents running at once in this instance; a WorkspaceReady beyond it waits for a free slot.
   * @default 4
   */
  readonly maxConcurrentAgents: number;
  /**
   * Time between SIGTERM and SIGKILL when an agent's process tree is killed.
   * @default 1000
   */
  readonly killGraceMs: number;
  /**
   * Longest an agent may run. Past it the agent's whole process tree is killed and the run
   * finishes as timed out (error category TIMEOUT, retried by the scheduler's retry policy):
   * a hung agent keeps its heartbeat going, so only a limit on the duration stops it.
   * @default 3_600_000 (60 minutes)
   */
  readonly maxRunDurationMs: number;
  /**
   * Least time between two RunUsageReported events of one run (the total is always in RunFinished).
   * @default 5000
   */
  readonly usageReportMs: number;
  /**
   * Whether a run fails when the connections service cannot be asked for its env.
   * When false the run goes on with no connection secrets (and a warning in its log).
   * @default true
   */
  readonly requireConnections: boolean;
  /**
   * How long to wait for connections to answer ResolveForRun.
   * @default 5000
   */
  readonly connectionsTimeoutMs: number;
  /**
   * The scripted agent executable (COHORT_SCRIPTED_AGENT, relative paths from the repository root).
   * @default tools/agents/scripted
   */
  readonly scriptedAgent: string;
  /**
   * A playbook for the scripted agent (COHORT_SCRIPTED_PLAYBOOK); unset: `.cohort/playbook.yaml` in the worktree.
   * @default undefined
   */
  readonly scriptedPlaybook: string | undefined;
  /**
   * Environment every agent starts from, before the run's connection env is added: only the
   * variables of BASE_ENV_NAMES (and `LC_*`) plus those named in AGENT_RUNTIME_PASS_ENV, never
   * this service's own settings (COHORT_SECRETS_KEY, DATABASE_URL, NATS_URL …).
   * @default those variables of this process's environment
   */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /**
   * Where each instance writes down the agent process groups it runs, so that an instance
   * starting on the same host kills those of an instance that died (AGENT_RUNTIME_STATE_DIR).
   * @default <COHORT_DATA_DIR or the temp dir>/agent-runtime/<namespace>
   */
  readonly stateDir: string;
  /** Author of the commits the runtime makes for an agent. @default Cohort <cohort@localhost> */
  readonly commitAuthor: { readonly name: string; readonly email: string };
  /**
   * Replaces asking the connections service for a run's env (embedding and tests);
   * unset: ResolveForRun over NATS.
   * @default undefined
   */
  readonly resolveRunEnv?: ResolveRunEnv;
}

/** What a command-line tool needs from its environment, and nothing of the platform's. */
export const BASE_ENV_NAMES: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TERM',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/** The agents' base environment: the allowed names that are set in `env`. */
export function agentBaseEnv(env: NodeJS.ProcessEnv, extraNames: readonly string[]): Record<string, string> {
  const allowed = new Set([...BASE_ENV_NAMES, ...extraNames]);
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (allowed.has(name) || name.startsWith('LC_'))) picked[name] = value;
  }
  return picked;
}

// src/ → services/agent-runtime → services → repository root.
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Reads and validates the settings; throws a ConfigError naming every bad variable. */
export function readAgentRuntimeConfig(env: NodeJS.ProcessEnv = process.env): AgentRuntimeConfig {
  const reader = new EnvReader(env);
  const basics = readServiceBasics(reader);
  const { namespace } = basics;
  const scriptedRaw = reader.string('COHORT_SCRIPTED_AGENT', 'tools/agents/scripted');
  const scriptedAgent = isAbsolute(scriptedRaw) ? scriptedRaw : resolve(REPO_ROOT, scriptedRaw);
  if (!existsSync(scriptedAgent)) {
    reader.problem(`COHORT_SCRIPTED_AGENT=${JSON.stringify(scriptedRaw)}: no file at ${scriptedAgent}`);
  }
  const playbook = reader.string('COHORT_SCRIPTED_PLAYBOOK', '');
  const passEnv = reader
    .string('AGENT_RUNTIME_PASS_ENV', '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of passEnv) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) reader.problem(`AGENT_RUNTIME_PASS_ENV: ${JSON.stringify(name)} is not a variable name`);
  }
  const config: AgentRuntimeConfig = {
    ...basics,
    heartbeatMs: reader.integer('AGENT_RUNTIME_HEARTBEAT_MS', 2000, { min: 10, max: 600_000 }),
    maxConcurrentAgents: reader.integer('AGENT_RUNTIME_MAX_CONCURRENT_AGENTS', 4, { min: 1, max: 1_000 }),
    killGraceMs: reader.integer('AGENT_RUNTIME_KILL_GRACE_MS', 1000, { min: 0, max: 60_000 }),
    // A Node timer's longest delay (about 24.8 days); a longer one would fire at once.
    maxRunDurationMs: reader.integer('AGENT_RUNTIME_MAX_RUN_DURATION_MS', 3_600_000, { min: 1, max: 2_147_483_647 }),
    usageReportMs: reader.integer('AGENT_RUNTIME_USAGE_REPORT_MS', 5000, { min: 0, max: 3_600_000 }),
    requireConnections: reader.boolean('AGENT_RUNTIME_REQUIRE_CONNECTIONS', true),
    connectionsTimeoutMs: reader.integer('AGENT_RUNTIME_CONNECTIONS_TIMEOUT_MS', 5000, { min: 10, max: 120_000 }),
    scriptedAgent,
    scriptedPlaybook: playbook === '' ? undefined : isAbsolute(playbook) ? playbook : resolve(playbook),
    baseEnv: agentBaseEnv(env, passEnv),
    stateDir: resolve(
      reader.string('AGENT_RUNTIME_STATE_DIR', join(reader.string('COHORT_DATA_DIR', tmpdir()), 'agent-runtime', namespace)),
    ),
    commitAuthor: {
      name: reader.string('AGENT_RUNTIME_COMMIT_NAME', 'Cohort'),
      email: reader.string('AGENT_RUNTIME_COMMIT_EMAIL', 'cohort@localhost'),
    },
  };
  reader.done();
  return config;
}
