// The read side's port, in one place for the gateway.
export type {
  CostGroup,
  CostQuery,
  CostRow,
  Page,
  PageRequest,
  PullRequestRow,
  ReadModel,
  RepoRow,
  RunRow,
  SecretRow,
  StageVisitRow,
  TaskCounts,
  TaskFilter,
  TaskRow,
  TimelineEntryRow,
  WorkspaceRow,
} from '@cohort/projections';
