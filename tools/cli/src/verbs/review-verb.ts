import { parseArgs } from 'node:util';
import { ReviewVerdict, SubmitReviewSchema } from '@cohort/contracts';
import type { CliConfig } from '../config.js';
import { UsageError } from '../usage.js';
import { reportCommand } from './output.js';
import { openSession } from './session.js';

export const REVIEW_USAGE = `usage: cohort review approve <task> [--body <text>] [--json]
       cohort review request-changes <task> --body <text> [--comment <path>:<line>:<text>]... [--json]`;

/** Parses `path:line:text`; the text may itself contain colons. */
export function parseReviewComment(raw: string): { path: string; line: number; body: string } {
  const match = /^([^:]+):(\d+):(.+)$/s.exec(raw);
  if (!match) throw new UsageError(`--comment takes <path>:<line>:<text>, got "${raw}"`);
  return { path: match[1]!, line: Number(match[2]), body: match[3]! };
}

export async function reviewVerb(args: string[], config: CliConfig): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'approve' && sub !== 'request-changes') {
    throw new UsageError(sub ? `unknown review command "${sub}"\n\n${REVIEW_USAGE}` : REVIEW_USAGE);
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      body: { type: 'string', default: '' },
      comment: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`review ${sub} takes one task id\n\n${REVIEW_USAGE}`);
  if (sub === 'request-changes' && !values.body && values.comment.length === 0) {
    throw new UsageError('review request-changes needs --body or at least one --comment');
  }
  const comments = values.comment.map(parseReviewComment);
  const session = await openSession(config);
  try {
    const result = await session.commands.send('pr-watcher', 'SubmitReview', SubmitReviewSchema, {
      taskId: positionals[0]!,
      verdict: sub === 'approve' ? ReviewVerdict.APPROVED : ReviewVerdict.CHANGES_REQUESTED,
      body: values.body,
      comments,
    });
    return reportCommand(result, values.json, (id) => `review submitted on task ${id || positionals[0]}`);
  } finally {
    await session.close();
  }
}
