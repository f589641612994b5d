import { ErrorCategory, ErrorInfoSchema, create, type ErrorInfo } from '@cohort/contracts';

export interface ErrorRule {
  readonly category: ErrorCategory;
  /** Any of these matching the message (case-insensitive) selects the rule. */
  readonly patterns: readonly RegExp[];
  readonly retryable: boolean;
  readonly title: string;
  readonly remedy: string;
}

/** Checked in order; the first rule with a matching pattern wins, so specific rules come first. */
export const ERROR_RULES: readonly ErrorRule[] = [
  {
    category: ErrorCategory.IMAGE,
    patterns: [/ErrImagePull/i, /ImagePullBackOff/i, /manifest unknown/i, /pull access denied/i, /image .*not found/i],
    retryable: false,
    title: 'Workspace image could not be pulled',
    remedy: 'Check the image name and tag in the repository settings and that the cluster can reach the registry.',
  },
  {
    category: ErrorCategory.AUTH,
    patterns: [
      /\b401\b/,
      /\b403\b/,
      /unauthori[sz]ed/i,
      /forbidden/i,
      /invalid api key/i,
      /authentication failed/i,
      /permission denied \(publickey\)/i,
      /bad credentials/i,
    ],
    retryable: false,
    title: 'Credentials were rejected',
    remedy: 'Update the token or key in Connections and check its scopes, then retry the task.',
  },
  {
    category: ErrorCategory.QUOTA,
    patterns: [/\b429\b/, /rate limit/i, /quota/i, /insufficient_quota/i, /too many requests/i, /credit balance/i],
    retryable: true,
    title: 'Rate limit or quota reached',
    remedy: 'Cohort retries with backoff; if it persists, raise the provider quota or lower concurrency.',
  },
  {
    category: ErrorCategory.TIMEOUT,
    patterns: [/timed? ?out/i, /deadline exceeded/i, /ETIMEDOUT/, /no heartbeat/i],
    retryable: true,
    title: 'The operation timed out',
    remedy: 'Cohort retries automatically; raise the stall threshold if runs are legitimately slow.',
  },
  {
    category: ErrorCategory.NETWORK,
    patterns: [
      /ECONNREFUSED/,
      /ECONNRESET/,
      /ENOTFOUND/,
      /EAI_AGAIN/,
      /network/i,
      /socket hang up/i,
      /\b50[234]\b/,
      /could not resolve host/i,
    ],
    retryable: true,
    title: 'Network error',
    remedy: 'Cohort retries automatically; check connectivity to the named host if it keeps failing.',
  },
  {
    category: ErrorCategory.RESOURCE,
    patterns: [/OOMKilled/i, /out of memory/i, /ENOSPC/, /no space left/i, /insufficient (cpu|memory)/i, /exit code 137/i],
    retryable: true,
    title: 'Workspace ran out of resources',
    remedy: 'Raise the workspace memory, CPU or disk limits for this repository.',
  },
  {
    category: ErrorCategory.STATE,
    patterns: [/non-fast-forward/i, /already exists/i, /merge conflict/i, /not mergeable/i, /base branch was modified/i, /stale/i],
    retryable: false,
    title: 'The repository or pull request is not in the expected state',
    remedy: 'Look at the branch and pull request, resolve the conflict or stale state, then retry.',
  },
  {
    category: ErrorCategory.AGENT,
    patterns: [/agent (exited|crashed|failed)/i, /exit (code|status) [1-9]/i, /command not found/i, /context length/i, /max(imum)? turns/i],
    retryable: true,
    title: 'The agent failed',
    remedy: 'Read the run log; retry, or resume the task with a message that unblocks the agent.',
  },
];

export const UNKNOWN_ERROR: Omit<ErrorRule, 'patterns'> = {
  category: ErrorCategory.UNKNOWN,
  retryable: true,
  title: 'Unexpected error',
  remedy: 'Read the run log with the correlation id; retry the task once the cause is fixed.',
};

/**
 * Turns a raw failure message into an ErrorInfo users can act on. `rules` may
 * be extended by configuration; put more specific rules first. The message is
 * kept as given: callers must have removed secrets from it already.
 */
export function classifyError(message: string, rules: readonly ErrorRule[] = ERROR_RULES): ErrorInfo {
  const rule = rules.find((r) => r.patterns.some((p) => p.test(message))) ?? UNKNOWN_ERROR;
  return create(ErrorInfoSchema, {
    category: rule.category,
    retryable: rule.retryable,
    title: rule.title,
    message,
    remedy: rule.remedy,
  });
}
