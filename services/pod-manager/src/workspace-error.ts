import { create, ErrorCategory, ErrorInfoSchema, type ErrorInfo } from '@cohort/contracts';
import type { ProvisionError } from '@cohort/runtime';

/** What a user sees of a failed provisioning: category, whether a retry may help, and what to do. */
export function workspaceErrorInfo(error: ProvisionError): ErrorInfo {
  const info = (category: ErrorCategory, title: string, remedy: string, message = error.message) =>
    create(ErrorInfoSchema, { category, retryable: error.retryable, title, message, remedy });
  switch (error.category) {
    case 'invalid_request':
      return info(
        ErrorCategory.STATE,
        'Workspace request invalid',
        'Check the task id and branch name; this run cannot be provisioned as it is.',
      );
    case 'repo_unreachable':
      return info(
        ErrorCategory.NETWORK,
        'Repository unreachable',
        'Check the repository URL, the network and the credentials; the run is retried.',
      );
    case 'base_branch_missing':
      return info(
        ErrorCategory.STATE,
        'Base branch missing',
        'Push the base branch or change the task’s base branch or the repository’s default branch.',
      );
    case 'worktree_failed':
      return info(
        ErrorCategory.RESOURCE,
        'Worktree could not be created',
        'Check free disk space and the data directory; the run is retried.',
      );
    case 'setup_failed': {
      const exit = error.exitCode === undefined ? '' : error.exitCode === null ? ' (killed)' : ` (exit ${error.exitCode})`;
      const message =
        error.command === undefined
          ? error.message
          : `setup command \`${error.command}\` failed${exit}${error.outputTail ? `:\n${error.outputTail}` : ''}`;
      return info(
        error.retryable ? ErrorCategory.TIMEOUT : ErrorCategory.STATE,
        'Setup command failed',
        error.retryable
          ? 'The setup command took too long; raise POD_MANAGER_SETUP_TIMEOUT_MS or make it faster.'
          : 'Fix the setup command in the repository settings (UpdateRepo) or the repository, then retry the task.',
        message,
      );
    }
  }
}

/** A failure found before the runtime is asked (no such repository, wrong task kind). */
export function stateError(title: string, message: string, remedy: string): ErrorInfo {
  return create(ErrorInfoSchema, { category: ErrorCategory.STATE, retryable: false, title, message, remedy });
}
