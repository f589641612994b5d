import { describe, expect, it } from 'vitest';
import { ConfigError } from '@cohort/platform';
import { readAgentRuntimeConfig, REPO_ROOT } from './config.js';

describe('agent-runtime config', () => {
  it('has working defaults, with the scripted agent resolved from the repository root', () => {
    const config = readAgentRuntimeConfig({});
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      namespace: 'cohort',
      healthPort: undefined,
      heartbeatMs: 2000,
      maxConcurrentAgents: 4,
      killGraceMs: 1000,
      maxRunDurationMs: 3_600_000,
      usageReportMs: 5000,
      requireConnections: true,
      connectionsTimeoutMs: 5000,
      scriptedPlaybook: undefined,
      commitAuthor: { name: 'Cohort', email: 'cohort@localhost' },
    });
    expect(config.scriptedAgent).toBe(`${REPO_ROOT}tools/agents/scripted`);
  });

  it('reads every variable', () => {
    const config = readAgentRuntimeConfig({
      NATS_URL: 'nats://nats:4222',
      COHORT_NAMESPACE: 'demo',
      HEALTH_PORT: '8081',
      AGENT_RUNTIME_HEARTBEAT_MS: '500',
      AGENT_RUNTIME_MAX_CONCURRENT_AGENTS: '8',
      AGENT_RUNTIME_KILL_GRACE_MS: '250',
      AGENT_RUNTIME_MAX_RUN_DURATION_MS: '120000',
      AGENT_RUNTIME_USAGE_REPORT_MS: '0',
      AGENT_RUNTIME_REQUIRE_CONNECTIONS: 'false',
      AGENT_RUNTIME_CONNECTIONS_TIMEOUT_MS: '1500',
      COHORT_SCRIPTED_PLAYBOOK: '/etc/cohort/playbook.yaml',
    });
    expect(config).toMatchObject({
      natsUrl: 'nats://nats:4222',
      namespace: 'demo',
      healthPort: 8081,
      heartbeatMs: 500,
      maxConcurrentAgents: 8,
      killGraceMs: 250,
      maxRunDurationMs: 120_000,
      usageReportMs: 0,
      requireConnections: false,
      connectionsTimeoutMs: 1500,
      scriptedPlaybook: '/etc/cohort/playbook.yaml',
    });
  });

  it('refuses a maximum run duration longer than a timer can wait, naming the variable', () => {
    expect(() => readAgentRuntimeConfig({ AGENT_RUNTIME_MAX_RUN_DURATION_MS: '2147483648' })).toThrow(
      /AGENT_RUNTIME_MAX_RUN_DURATION_MS="2147483648"/,
    );
  });

  it('starts agents from a small allowed environment, never from the service’s own settings', () => {
    const config = readAgentRuntimeConfig({
      PATH: '/usr/bin',
      HOME: '/home/cohort',
      LC_ALL: 'C.UTF-8',
      NATS_URL: 'nats://nats:4222',
      DATABASE_URL: 'postgres://user:pw@db/cohort',
      COHORT_SECRETS_KEY: 'master-key',
      NPM_TOKEN: 'npm-token',
      GOPROXY: 'https://proxy.golang.org',
      AGENT_RUNTIME_PASS_ENV: 'GOPROXY, NPM_CONFIG_CACHE',
    });
    expect(config.baseEnv).toEqual({ PATH: '/usr/bin', HOME: '/home/cohort', LC_ALL: 'C.UTF-8', GOPROXY: 'https://proxy.golang.org' });
  });

  it('names every bad variable at once', () => {
    const read = () =>
      readAgentRuntimeConfig({
        COHORT_NAMESPACE: 'Bad-Name',
        AGENT_RUNTIME_HEARTBEAT_MS: 'often',
        AGENT_RUNTIME_MAX_CONCURRENT_AGENTS: '0',
        AGENT_RUNTIME_REQUIRE_CONNECTIONS: 'maybe',
        COHORT_SCRIPTED_AGENT: '/nonexistent/scripted',
        AGENT_RUNTIME_PASS_ENV: 'OK,not valid',
      });
    expect(read).toThrow(ConfigError);
    try {
      read();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of [
        'COHORT_NAMESPACE',
        'AGENT_RUNTIME_HEARTBEAT_MS',
        'AGENT_RUNTIME_MAX_CONCURRENT_AGENTS',
        'AGENT_RUNTIME_REQUIRE_CONNECTIONS',
        'COHORT_SCRIPTED_AGENT',
        'AGENT_RUNTIME_PASS_ENV',
      ]) {
        expect(problems).toContain(name);
      }
    }
  });
});
