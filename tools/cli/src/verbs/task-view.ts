import { RunKind, RunOutcome, ResumeReason } from '@cohort/contracts';
import { stageOf, type TaskState } from '@cohort/domain';

/** The task as plain JSON for --json. */
export function summarizeTask(state: TaskState) {
  return {
    id: state.id,
    title: state.spec.title,
    status: state.status,
    stage: stageOf(state),
    repoId: state.spec.repoId,
    agent: state.spec.agent,
    priority: state.priority,
    costUsd: state.totalCostUsd,
    attentionReason: state.attentionReason,
    failureReason: state.failureReason,
    pullRequest: state.pr
      ? { number: state.pr.number, headSha: state.pr.headSha, merged: state.pr.merged, closed: state.pr.closed }
      : undefined,
    runs: state.runs.map((run) => ({
      id: run.id,
      kind: RunKind[run.kind]?.toLowerCase(),
      reason: run.reason ? ResumeReason[run.reason]?.toLowerCase() : undefined,
      status: run.status,
      outcome: run.outcome ? RunOutcome[run.outcome]?.toLowerCase() : undefined,
    })),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}

export function describeTask(state: TaskState): string {
  const s = summarizeTask(state);
  const lines = [
    `task     ${s.id}`,
    `title    ${s.title}`,
    `status   ${s.status} (stage ${s.stage})`,
    ...(s.repoId ? [`repo     ${s.repoId}`] : []),
    `agent    ${s.agent}`,
    `cost     $${s.costUsd.toFixed(4)}`,
    ...(s.attentionReason ? [`needs attention: ${s.attentionReason}`] : []),
    ...(s.failureReason ? [`failed: ${s.failureReason}`] : []),
    ...(s.pullRequest
      ? [`PR       #${s.pullRequest.number}${s.pullRequest.merged ? ' merged' : s.pullRequest.closed ? ' closed' : ''}`]
      : []),
    'runs:',
    ...s.runs.map((r) => `  ${r.id}  ${r.kind}${r.reason ? `:${r.reason}` : ''}  ${r.status}${r.outcome ? ` (${r.outcome})` : ''}`),
  ];
  return lines.join('\n');
}
