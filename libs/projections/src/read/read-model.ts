/**
 * The read side's query port: what the gateway (and the CLI) may ask of the
 * projections. Implemented over Postgres by this lib; callers never see SQL.
 *
 * Enum-like fields use the lower-case names the GraphQL schema uses
 * (`TaskStatus` of @cohort/domain, `Stage`, run kinds `initial | resume | review`, ...).
 * Times are ISO-8601 strings; money is USD as a number.
 */

export interface TaskFilter {
  readonly states?: readonly string[];
  readonly stages?: readonly string[];
  readonly repoIds?: readonly string[];
  /** `repo` or `standalone`. */
  readonly kinds?: readonly string[];
  /** Case-insensitive match on title, prompt and id. */
  readonly text?: string;
}

export interface PageRequest {
  /** @default 50, at most 200 */
  readonly first?: number;
  /** Opaque cursor of the last row of the previous page. */
  readonly after?: string;
}

export interface Page<T> {
  readonly rows: readonly T[];
  readonly totalCount: number;
  /** Cursor of the last row; undefined when the page is empty. */
  readonly endCursor: string | undefined;
  readonly hasNextPage: boolean;
}

export interface TaskRow {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly prompt: string;
  readonly templateId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly repoId: string | null;
  readonly baseBranch: string;
  readonly agent: string;
  readonly model: string;
  readonly priority: number;
  readonly budgetUsd: number;
  readonly state: string;
  readonly stage: string;
  readonly attentionReason: string | null;
  readonly failureReason: string | null;
  readonly sourceKind: string;
  readonly sourceExternalId: string;
  readonly sourceUrl: string;
  readonly dependsOn: readonly string[];
  readonly parentTaskId: string | null;
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly runCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly completedAt: string | null;
  /** Aggregate version of the last projected event. */
  readonly version: number;
  /** Stream position of the last projected event of this task. */
  readonly position: number;
}

export interface RunRow {
  readonly id: string;
  readonly taskId: string;
  readonly attempt: number;
  /** `initial`, `resume` or `review`. */
  readonly kind: string;
  /** Resume reason (`ci_failure`, `review`, `conflict`, `user_message`) or ''. */
  readonly reason: string;
  readonly status: string;
  /** `succeeded`, `failed`, `cancelled`, `timed_out`, or null while not finished. */
  readonly outcome: string | null;
  readonly prompt: string;
  readonly summary: string;
  readonly errorMessage: string | null;
  readonly agent: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly headSha: string;
  readonly workspaceId: string;
  readonly scheduledAt: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Highest log sequence number reported for the run (0 when unknown). */
  readonly logLines: number;
}

export interface WorkspaceRow {
  readonly id: string;
  readonly taskId: string;
  readonly runId: string;
  readonly repoId: string | null;
  readonly path: string;
  readonly branch: string;
  /** `provisioning`, `ready`, `failed`, `released`. */
  readonly status: string;
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface CheckRow {
  readonly name: string;
  /** `pending`, `passing`, `failing`. */
  readonly status: string;
  readonly outputTail: string;
  readonly headSha: string;
  readonly reportedAt: string;
}

export interface ReviewCommentRow {
  readonly path: string;
  readonly line: number;
  readonly body: string;
}

export interface ReviewRow {
  readonly headSha: string;
  /** `approved`, `changes_requested`, `commented`. */
  readonly verdict: string;
  readonly reviewer: string;
  readonly body: string;
  readonly byAgent: boolean;
  readonly comments: readonly ReviewCommentRow[];
  readonly submittedAt: string;
}

export interface PullRequestRow {
  readonly taskId: string;
  readonly number: number;
  readonly url: string;
  readonly headSha: string;
  readonly baseBranch: string;
  /** `open`, `merged`, `closed`. */
  readonly status: string;
  /** Overall status of the checks on the current head: `none`, `pending`, `passing`, `failing`. */
  readonly checksStatus: string;
  readonly checks: readonly CheckRow[];
  readonly reviews: readonly ReviewRow[];
  readonly conflictFiles: readonly string[];
  readonly mergeSha: string | null;
  readonly mergeError: string | null;
  readonly openedAt: string;
  readonly mergedAt: string | null;
}

export interface TimelineEntryRow {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly version: number;
  readonly occurredAt: string;
  /** `runId` when the event is about one run. */
  readonly runId: string | null;
  /** A one-line human summary (never secret values). */
  readonly summary: string;
  /** The event's data as canonical JSON. */
  readonly data: unknown;
}

export interface RepoRow {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly forge: string;
  readonly defaultBranch: string;
  readonly ciCommand: string;
  readonly setupCommands: readonly string[];
  readonly autoMerge: boolean;
  readonly approvalRequired: boolean;
  readonly cautious: boolean;
  readonly reviewAgentEnabled: boolean;
  readonly maxConcurrency: number;
  readonly defaultAgent: string;
  readonly defaultModel: string;
  readonly defaultTemplate: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type CostGroup = 'day' | 'repo' | 'agent' | 'model';

export interface CostQuery {
  readonly groupBy: readonly CostGroup[];
  /** Inclusive, `YYYY-MM-DD`. */
  readonly from: string;
  /** Inclusive, `YYYY-MM-DD`. */
  readonly to: string;
}

export interface CostRow {
  /** Present only for the grouped dimensions. */
  readonly day?: string;
  readonly repoId?: string;
  readonly agent?: string;
  readonly model?: string;
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly runs: number;
}

export interface StageVisitRow {
  readonly stage: string;
  readonly enteredAt: string;
  /** null while the task is in this stage. */
  readonly leftAt: string | null;
}

export interface SecretRow {
  readonly name: string;
  readonly scope: string;
  readonly updatedAt: string;
}

export interface TaskCounts {
  readonly byState: Readonly<Record<string, number>>;
}

/** Read access to the projections. Every method throws `ReadModelUnavailable` when Postgres cannot answer. */
export interface ReadModel {
  /** Stream position of the last event applied to the live projections. */
  checkpoint(): Promise<number>;
  /** Resolves once the checkpoint is >= position; rejects with `ReadModelBehind` after timeoutMs. */
  waitFor(position: number, timeoutMs: number): Promise<void>;
  tasks(filter: TaskFilter, page: PageRequest): Promise<Page<TaskRow>>;
  task(id: string): Promise<TaskRow | undefined>;
  /** Tasks whose last projected event is after `position`, in log order, at most `limit`: what a listener that missed notifications missed. */
  tasksChangedAfter(position: number, limit: number): Promise<readonly TaskRow[]>;
  taskCounts(): Promise<TaskCounts>;
  runs(taskId: string): Promise<readonly RunRow[]>;
  /** `runs` of several tasks in one query; a task without runs is missing from the map. */
  runsOfTasks(taskIds: readonly string[]): Promise<ReadonlyMap<string, readonly RunRow[]>>;
  pullRequest(taskId: string): Promise<PullRequestRow | undefined>;
  pullRequestsOfTasks(taskIds: readonly string[]): Promise<ReadonlyMap<string, PullRequestRow>>;
  workspace(taskId: string): Promise<WorkspaceRow | undefined>;
  workspacesOfTasks(taskIds: readonly string[]): Promise<ReadonlyMap<string, WorkspaceRow>>;
  workspaces(filter: { readonly activeOnly?: boolean }): Promise<readonly WorkspaceRow[]>;
  timeline(taskId: string, page: PageRequest): Promise<Page<TimelineEntryRow>>;
  /** The stages the task has been in, in order (a stage can appear again, e.g. running after checks). */
  stageHistory(taskId: string): Promise<readonly StageVisitRow[]>;
  stageHistoriesOfTasks(taskIds: readonly string[]): Promise<ReadonlyMap<string, readonly StageVisitRow[]>>;
  repos(): Promise<readonly RepoRow[]>;
  repo(id: string): Promise<RepoRow | undefined>;
  reposByIds(ids: readonly string[]): Promise<ReadonlyMap<string, RepoRow>>;
  costs(query: CostQuery): Promise<readonly CostRow[]>;
  /** Names and scopes of stored secrets (from SecretSet / SecretDeleted); never values. */
  secrets(): Promise<readonly SecretRow[]>;
}
