import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ForgeKind, RegisterRepoSchema, ReviewTrigger } from '@cohort/contracts';
import type { CliConfig } from '../config.js';
import { UsageError } from '../usage.js';
import { reportCommand } from './output.js';
import { openSession } from './session.js';

export const REPO_USAGE = `usage: cohort repo add <path-or-git-url> --name <name> [options]
  --branch <b>           default branch (default main)
  --ci <command>         CI command run on each pull request head
  --setup <command>      setup command for new workspaces (repeatable)
  --agent <name>         default agent (default scripted)
  --model <model>        default model
  --template <id>        default prompt template
  --max-concurrency <n>  runs at once for this repo (default 2)
  --auto-merge           merge when checks pass and (if required) approved
  --no-approval          do not require an approving review
  --review-agent         run the review agent when checks pass
  --cautious             never merge without cohort task approve-merge
  --json`;

export async function repoVerb(args: string[], config: CliConfig): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'add') throw new UsageError(sub ? `unknown repo command "${sub}"\n\n${REPO_USAGE}` : REPO_USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      branch: { type: 'string', default: 'main' },
      ci: { type: 'string', default: '' },
      setup: { type: 'string', multiple: true, default: [] },
      agent: { type: 'string', default: 'scripted' },
      model: { type: 'string', default: '' },
      template: { type: 'string', default: '' },
      'max-concurrency': { type: 'string', default: '2' },
      'auto-merge': { type: 'boolean', default: false },
      'no-approval': { type: 'boolean', default: false },
      'review-agent': { type: 'boolean', default: false },
      cautious: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`repo add takes one path or git URL\n\n${REPO_USAGE}`);
  if (!values.name) throw new UsageError(`repo add needs --name\n\n${REPO_USAGE}`);
  const maxConcurrency = Number(values['max-concurrency']);
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
    throw new UsageError(`--max-concurrency must be a whole number of at least 1, got "${values['max-concurrency']}"`);
  }
  const target = positionals[0]!;
  const url = /^[a-z+]+:\/\/|^[\w.-]+@[\w.-]+:/.test(target) ? target : resolve(target);
  if (url === resolve(target) && !existsSync(url)) throw new UsageError(`repository path "${url}" does not exist`);
  const session = await openSession(config);
  try {
    const result = await session.commands.send('intake', 'RegisterRepo', RegisterRepoSchema, {
      settings: {
        name: values.name,
        url,
        forge: ForgeKind.LOCAL,
        defaultBranch: values.branch,
        ciCommand: values.ci,
        setupCommands: values.setup,
        policy: {
          autoMerge: values['auto-merge'],
          approvalRequired: !values['no-approval'],
          cautious: values.cautious,
          reviewAgent: { enabled: values['review-agent'], trigger: ReviewTrigger.ON_CHECKS_PASSED },
        },
        maxConcurrency,
        defaultAgent: values.agent,
        defaultModel: values.model,
        defaultTemplate: values.template,
      },
    });
    return reportCommand(result, values.json, (id) => `registered repo ${id}`);
  } finally {
    await session.close();
  }
}
