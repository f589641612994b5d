import {
  CheckSchema,
  CheckStatus,
  create,
  ErrorCategory,
  ErrorInfoSchema,
  ReviewVerdict,
  type Check,
  type ErrorInfo,
} from '@cohort/contracts';
import type { ChecksReport, ForgeError, ReviewVerdict as ForgeVerdict } from '@cohort/forges';

const VERDICTS: Readonly<Partial<Record<ReviewVerdict, ForgeVerdict>>> = {
  [ReviewVerdict.APPROVED]: 'approve',
  [ReviewVerdict.CHANGES_REQUESTED]: 'request_changes',
  [ReviewVerdict.COMMENTED]: 'comment',
};

/** The forge's verdict for a contract verdict; undefined for UNSPECIFIED or unknown numbers. */
export function forgeVerdict(verdict: ReviewVerdict): ForgeVerdict | undefined {
  return VERDICTS[verdict];
}

export function checkStatusOf(status: ChecksReport['status']): CheckStatus {
  return status === 'passing' ? CheckStatus.PASSING : CheckStatus.FAILING;
}

export function checksOf(report: ChecksReport): Check[] {
  return report.checks.map((check) =>
    create(CheckSchema, { name: check.name, status: checkStatusOf(check.status), outputTail: check.outputTail }),
  );
}

/** Why a merge was refused, for MergeFailed: what happened and what the reconciler or a person can do. */
export function mergeErrorInfo(error: ForgeError): ErrorInfo {
  const info = (title: string, remedy: string, retryable = false) =>
    create(ErrorInfoSchema, { category: ErrorCategory.STATE, retryable, title, message: error.message, remedy });
  switch (error.category) {
    case 'head_changed':
      return info('Head moved', 'New commits landed after checks and reviews; they need checks (and approval) before a merge.');
    case 'conflict':
      return info('Merge conflict', `Rebase the branch onto the base; conflicting files: ${(error.conflictingFiles ?? []).join(', ')}.`);
    case 'base_moved':
      return info('Base moved while merging', 'Request the merge again.', true);
    case 'not_open':
      return info('Pull request not open', 'The pull request was closed; reopen the work with a new pull request.');
    default:
      return info('Merge refused', 'Look at the pull request in the forge.');
  }
}
