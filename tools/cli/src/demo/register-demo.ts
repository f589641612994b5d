import { connect } from '@nats-io/transport-node';
import { CommandErrorCode, ForgeKind, RegisterRepoSchema, ReviewTrigger, topology } from '@cohort/contracts';
import { CommandClient } from '@cohort/messaging';
import { createDemoRepository } from './create-demo-repository.js';
import { DEMO_CI_COMMAND } from './demo-files.js';

export const DEMO_REPO_NAME = 'demo';

/**
 * Creates the demo repository and registers it with intake, waiting for intake
 * to answer (it starts alongside). Registering the same settings again is accepted.
 */
export async function registerDemo(natsUrl: string, namespace: string, reposDir: string, timeoutMs = 60_000): Promise<string> {
  const origin = await createDemoRepository(reposDir);
  const nc = await connect({ servers: natsUrl, name: 'cohort-up-demo' });
  try {
    const commands = new CommandClient(nc, topology(namespace), { timeoutMs: 3000 });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await commands.send('intake', 'RegisterRepo', RegisterRepoSchema, {
        settings: {
          name: DEMO_REPO_NAME,
          url: origin,
          forge: ForgeKind.LOCAL,
          defaultBranch: 'main',
          ciCommand: DEMO_CI_COMMAND,
          policy: { autoMerge: true, approvalRequired: true, reviewAgent: { enabled: false, trigger: ReviewTrigger.ON_CHECKS_PASSED } },
          maxConcurrency: 2,
          defaultAgent: 'scripted',
        },
      });
      if (result.ok) return result.value.aggregateId;
      if (result.error.code !== CommandErrorCode.UNAVAILABLE || Date.now() > deadline) {
        throw new Error(`could not register the demo repository: ${result.error.message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await nc.close();
  }
}
