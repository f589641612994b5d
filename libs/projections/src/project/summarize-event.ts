import { CheckStatus, ResumeReason, ReviewVerdict, RunKind, RunOutcome, type Envelope } from '@cohort/contracts';
import { enumName } from './enum-name.js';

/** A one-line description of an event for the timeline. Never carries secret values (events never hold them). */
export function summarizeEvent(event: Envelope): string {
  switch (event.type) {
    case 'TaskCreated':
      return `task created: ${oneLine(event.data.title)}${event.data.repoId ? ` (repo ${event.data.repoId})` : ''}`;
    case 'TaskPriorityChanged':
      return `priority changed to ${event.data.priority}${by(event.data.by)}`;
    case 'TaskDependenciesMet':
      return 'dependencies met';
    case 'TaskCancelled':
      return `cancelled${event.data.reason ? `: ${oneLine(event.data.reason)}` : ''}${by(event.data.by)}`;
    case 'TaskRetryRequested':
      return `retry requested${by(event.data.by)}`;
    case 'TaskResumeRequested':
      return `message for the agent${by(event.data.by)}: ${oneLine(event.data.message)}`;
    case 'MergeApproved':
      return `merge approved${by(event.data.by)}`;
    case 'RunScheduled': {
      const reason = enumName(ResumeReason, event.data.resumeReason);
      return `run ${event.data.runId} scheduled (${enumName(RunKind, event.data.kind)}${reason ? `, ${reason}` : ''})`;
    }
    case 'WorkspaceReady':
      return `workspace ${event.data.workspaceId} ready${event.data.branch ? ` on ${event.data.branch}` : ''}`;
    case 'WorkspaceFailed':
      return `workspace failed: ${oneLine(event.data.error?.message ?? '')}`;
    case 'WorkspaceReleased':
      return `workspace ${event.data.workspaceId || event.data.runId} released`;
    case 'RunStarted':
      return `run ${event.data.runId} started`;
    case 'RunUsageReported':
      return `run ${event.data.runId} usage: ${usage(event.data.usage)}`;
    case 'RunFinished':
      return `run ${event.data.runId} ${enumName(RunOutcome, event.data.outcome) || 'finished'}${
        event.data.error ? `: ${oneLine(event.data.error.message)}` : ''
      }${event.data.usage ? ` (${usage(event.data.usage)})` : ''}`;
    case 'RunTimedOut':
      return `run ${event.data.runId} timed out${event.data.reason ? `: ${oneLine(event.data.reason)}` : ''}`;
    case 'PullRequestRequested':
      return `pull request requested for ${event.data.branch}`;
    case 'PullRequestOpened':
      return `pull request #${event.data.number} opened`;
    case 'PullRequestUpdated':
      return `pull request #${event.data.number} updated to ${short(event.data.headSha)}`;
    case 'ChecksReported':
      return `checks ${enumName(CheckStatus, event.data.status)} on ${short(event.data.headSha)} (${event.data.checks.length} checks)`;
    case 'ReviewSubmitted':
      return `review ${enumName(ReviewVerdict, event.data.verdict)}${event.data.reviewer ? ` by ${event.data.reviewer}` : ''}${
        event.data.byAgent ? ' (agent)' : ''
      }`;
    case 'ConflictDetected':
      return `conflict with the base in ${event.data.files.length} file(s)`;
    case 'MergeRequested':
      return `merge requested for ${short(event.data.headSha)}`;
    case 'MergeFailed':
      return `merge failed${event.data.error ? `: ${oneLine(event.data.error.message)}` : ''}`;
    case 'PullRequestMerged':
      return `pull request #${event.data.number} merged${event.data.mergeSha ? ` as ${short(event.data.mergeSha)}` : ''}`;
    case 'PullRequestClosed':
      return `pull request #${event.data.number} closed`;
    case 'TaskNeedsAttention':
      return `needs attention: ${oneLine(event.data.reason)}`;
    case 'TaskFailed':
      return `failed: ${oneLine(event.data.reason)}`;
    case 'TaskCompleted':
      return `completed${event.data.summary ? `: ${oneLine(event.data.summary)}` : ''}`;
    case 'TicketClosed':
      return 'ticket closed';
    case 'RepoRegistered':
      return `repository ${event.data.settings?.name ?? event.data.repoId} registered`;
    case 'RepoUpdated':
      return `repository ${event.data.settings?.name ?? event.data.repoId} updated`;
    case 'SecretSet':
      return `secret ${event.data.name} set (${event.data.scope || 'global'})`;
    case 'SecretDeleted':
      return `secret ${event.data.name} deleted (${event.data.scope || 'global'})`;
  }
}

const MAX = 200;

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}

function by(who: string): string {
  return who ? ` by ${who}` : '';
}

function short(sha: string): string {
  return sha.slice(0, 7) || '(unknown)';
}

function usage(u: { inputTokens: number; outputTokens: number; costUsd: number } | undefined): string {
  if (!u) return 'no usage';
  return `$${u.costUsd.toFixed(4)}, ${u.inputTokens} in / ${u.outputTokens} out tokens`;
}
