/** The dashboard's GraphQL documents, written against gateway/src/schema/schema.graphql. */

export const TASK_SUMMARY_FIELDS = `
  id kind title state stage agent model costUsd attentionReason failureReason createdAt updatedAt version
  repo { id name }
`;

export const TASKS = `query Tasks($filter: TaskFilter, $first: Int, $after: String, $atLeast: Position) {
  tasks(filter: $filter, first: $first, after: $after, atLeast: $atLeast) {
    totalCount
    pageInfo { endCursor hasNextPage }
    nodes { ${TASK_SUMMARY_FIELDS} }
  }
}`;

export const TASK_UPDATED = `subscription TaskUpdated($filter: TaskFilter) {
  taskUpdated(filter: $filter) { ${TASK_SUMMARY_FIELDS} }
}`;

export const OVERVIEW = `query Overview($from: Date!, $to: Date!, $weekFrom: Date!) {
  taskCounts { waiting queued provisioning running pr_opened needs_attention failed completed cancelled }
  workspaces(activeOnly: true) { id taskId runId repoId branch status updatedAt }
  today: costs(groupBy: [], from: $from, to: $to) { costUsd inputTokens outputTokens runs }
  week: costs(groupBy: [], from: $weekFrom, to: $to) { costUsd inputTokens outputTokens runs }
  recent: tasks(first: 15) { nodes { ${TASK_SUMMARY_FIELDS} } }
}`;

export const TASK_DETAIL_FIELDS = `
  ${TASK_SUMMARY_FIELDS}
  prompt templateId params { name value } repoId baseBranch priority budgetUsd source sourceUrl dependsOn
  inputTokens outputTokens completedAt
  pipeline { stage status enteredAt leftAt }
  runs {
    id attempt kind reason status outcome prompt summary error agent model
    inputTokens cachedInputTokens outputTokens costUsd headSha scheduledAt startedAt finishedAt logLines
  }
  workspace { id taskId runId repoId path branch status error createdAt updatedAt }
  pullRequest {
    number url headSha baseBranch status checksStatus conflictFiles mergeSha mergeError openedAt mergedAt
    checks { name status outputTail headSha reportedAt }
    reviews { headSha verdict reviewer body byAgent submittedAt comments { path line body } }
  }
`;

export const TASK = `query Task($id: ID!, $atLeast: Position) {
  task(id: $id, atLeast: $atLeast) { ${TASK_DETAIL_FIELDS} }
}`;

export const TASK_EVENTS = `subscription TaskEvents($taskId: ID!, $fromVersion: Int) {
  taskEvents(taskId: $taskId, fromVersion: $fromVersion) { position type version runId summary occurredAt }
}`;

/** One page of a run's stored log; `taskId`/`runId` are left out of each line (they are the arguments) to keep pages small. */
export const TASK_LOG_PAGE = `query TaskLogPage($id: ID!, $runId: ID!, $fromSeq: Int!, $limit: Int!) {
  task(id: $id) { logs(runId: $runId, fromSeq: $fromSeq, limit: $limit) { lastSeq hasMore lines { seq stream text at } } }
}`;

/** A run's lines after `fromSeq`, then live ones, in chunks; like pages, lines leave out `taskId`/`runId`. */
export const TASK_LOGS = `subscription TaskLogs($taskId: ID!, $runId: ID!, $fromSeq: Int) {
  taskLogs(taskId: $taskId, runId: $runId, fromSeq: $fromSeq) { lastSeq lines { seq stream text at } }
}`;

const COMMAND_RESULT = 'id eventIds position';

export const CREATE_TASK = `mutation CreateTask($input: CreateTaskInput!) { createTask(input: $input) { ${COMMAND_RESULT} } }`;
export const CANCEL_TASK = `mutation CancelTask($id: ID!, $reason: String) { cancelTask(id: $id, reason: $reason) { ${COMMAND_RESULT} } }`;
export const RETRY_TASK = `mutation RetryTask($id: ID!) { retryTask(id: $id) { ${COMMAND_RESULT} } }`;
export const RESUME_TASK = `mutation ResumeTask($id: ID!, $message: String!) { resumeTask(id: $id, message: $message) { ${COMMAND_RESULT} } }`;
export const APPROVE_MERGE = `mutation ApproveMerge($id: ID!) { approveMerge(id: $id) { ${COMMAND_RESULT} } }`;
export const SUBMIT_REVIEW = `mutation SubmitReview($input: SubmitReviewInput!) { submitReview(input: $input) { ${COMMAND_RESULT} } }`;

const REPO_FIELDS = `id name url forge defaultBranch ciCommand setupCommands autoMerge approvalRequired cautious
  reviewAgentEnabled maxConcurrency defaultAgent defaultModel defaultTemplate createdAt updatedAt`;

export const REPOS = `query Repos($atLeast: Position) { repos(atLeast: $atLeast) { ${REPO_FIELDS} } }`;
export const REGISTER_REPO = `mutation RegisterRepo($input: RepoInput!) { registerRepo(input: $input) { ${COMMAND_RESULT} } }`;
export const UPDATE_REPO = `mutation UpdateRepo($id: ID!, $input: RepoInput!) { updateRepo(id: $id, input: $input) { ${COMMAND_RESULT} } }`;

export const NEW_TASK_OPTIONS = `query NewTaskOptions {
  repos { id name defaultBranch defaultAgent defaultModel defaultTemplate }
  templates { id title description params { name type required default values description } }
}`;

export const WORKSPACES = `query Workspaces($activeOnly: Boolean) {
  workspaces(activeOnly: $activeOnly) { id taskId runId repoId path branch status error createdAt updatedAt }
  repos { id name }
}`;

export const COSTS = `query Costs($from: Date!, $to: Date!) {
  byDay: costs(groupBy: [day], from: $from, to: $to) { day costUsd inputTokens cachedInputTokens outputTokens runs }
  byRepo: costs(groupBy: [repo], from: $from, to: $to) { repoId costUsd inputTokens outputTokens runs }
  byAgent: costs(groupBy: [agent], from: $from, to: $to) { agent costUsd inputTokens outputTokens runs }
  byModel: costs(groupBy: [model], from: $from, to: $to) { model costUsd inputTokens outputTokens runs }
  repos { id name }
}`;

export const SETTINGS = `query Settings {
  apiTokens { id name scopes createdAt lastUsedAt }
  secrets { name scope updatedAt }
}`;
export const CREATE_API_TOKEN = `mutation CreateApiToken($name: String!, $scopes: [Scope!]!) {
  createApiToken(name: $name, scopes: $scopes) { value token { id name scopes createdAt lastUsedAt } }
}`;
export const REVOKE_API_TOKEN = `mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) }`;
export const SET_SECRET = `mutation SetSecret($name: String!, $value: String!, $scope: String) {
  setSecret(name: $name, value: $value, scope: $scope) { ${COMMAND_RESULT} }
}`;
export const DELETE_SECRET = `mutation DeleteSecret($name: String!, $scope: String) {
  deleteSecret(name: $name, scope: $scope) { ${COMMAND_RESULT} }
}`;

export const READ_SIDE = `query ReadSide { readSide { available checkpoint head } }`;
