import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, describe, expect, it } from 'vitest';
import { RunOutcome, SetSecretSchema } from '@cohort/contracts';
import { CommandClient } from '@cohort/messaging';
import { readConnectionsConfig, startConnections } from '@cohort/service-connections';
import { waitFor } from '@cohort/testing';
import { runScheduled, scenario, taskCreated, workspaceReady, type Scenario } from '../test/harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every message body and header ever stored in a stream, as text. */
async function streamText(s: Scenario, stream: string): Promise<string> {
  const jsm = await jetstreamManager(s.ctx.nc);
  const info = await jsm.streams.info(stream);
  const texts: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (message) texts.push(message.string(), JSON.stringify([...(message.header?.keys() ?? [])].map((k) => message.header!.get(k))));
  }
  return texts.join('\n');
}

describe('agent-runtime with the connections service', () => {
  it('gives the agent the secrets connections resolves for the run, and no value reaches a log line or an event', async () => {
    const secret = `ghp_${randomBytes(12).toString('hex')}`;
    const s = await scenario('conn', {
      playbook: `initial:
  - run: echo "token=$API_TOKEN"
  - run: echo "length \${#API_TOKEN}"
`,
      config: { requireConnections: true },
    });
    cleanups.push(() => s.dispose());
    const connections = await startConnections(
      readConnectionsConfig({
        NATS_URL: s.ctx.url,
        COHORT_NAMESPACE: s.ctx.topology.namespace,
        COHORT_SECRETS_KEY: randomBytes(32).toString('base64'),
      }),
      { logger: { log: () => undefined, error: () => undefined, warn: () => undefined } },
    );
    cleanups.push(() => connections.close());
    const set = await new CommandClient(s.ctx.nc, s.ctx.topology).send('connections', 'SetSecret', SetSecretSchema, {
      name: 'API_TOKEN',
      value: secret,
      scope: 'repo:demo',
    });
    expect(set.ok).toBe(true);

    await s.append(taskCreated(s), runScheduled(s), workspaceReady(s));
    const finished = await s.finished();
    expect(finished.data.outcome).toBe(RunOutcome.SUCCEEDED);
    await waitFor('the agent output', () => (s.logs.some((l) => l.text.includes('length 28')) ? true : undefined));
    // It reached the agent…
    expect(s.logs.some((l) => l.text.includes('token=[redacted]'))).toBe(true);
    // …and no stored log line or event of the namespace carries it.
    expect(await streamText(s, s.ctx.topology.streams.logs)).not.toContain(secret);
    expect(await streamText(s, s.ctx.topology.streams.events)).not.toContain(secret);
  });
});
