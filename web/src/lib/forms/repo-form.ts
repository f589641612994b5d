import type { ForgeKind, Repo, RepoInput } from '../graphql/types.js';

/** The repository form's state, as the inputs edit it. */
export interface RepoDraft {
  name: string;
  url: string;
  forge: ForgeKind;
  defaultBranch: string;
  ciCommand: string;
  /** One command per line. */
  setupCommands: string;
  autoMerge: boolean;
  approvalRequired: boolean;
  cautious: boolean;
  reviewAgentEnabled: boolean;
  maxConcurrency: string;
  defaultAgent: string;
  defaultModel: string;
  defaultTemplate: string;
}

export function repoDraft(repo?: Repo): RepoDraft {
  return {
    name: repo?.name ?? '',
    url: repo?.url ?? '',
    forge: repo?.forge ?? 'local',
    defaultBranch: repo?.defaultBranch ?? 'main',
    ciCommand: repo?.ciCommand ?? '',
    setupCommands: (repo?.setupCommands ?? []).join('\n'),
    autoMerge: repo?.autoMerge ?? false,
    approvalRequired: repo?.approvalRequired ?? false,
    cautious: repo?.cautious ?? false,
    reviewAgentEnabled: repo?.reviewAgentEnabled ?? false,
    maxConcurrency: String(repo?.maxConcurrency ?? 0),
    defaultAgent: repo?.defaultAgent ?? '',
    defaultModel: repo?.defaultModel ?? '',
    defaultTemplate: repo?.defaultTemplate ?? '',
  };
}

export function validateRepo(draft: RepoDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (draft.name.trim() === '') errors.name = 'Name the repository.';
  else if (!/^[A-Za-z0-9._/-]+$/.test(draft.name.trim())) errors.name = 'Use letters, digits, ".", "_", "-" and "/" only.';
  if (draft.url.trim() === '') errors.url = 'Give a local path or a git URL.';
  if (draft.defaultBranch.trim() === '') errors.defaultBranch = 'Name the default branch.';
  const max = Number(draft.maxConcurrency);
  if (!Number.isInteger(max) || max < 0) errors.maxConcurrency = 'A whole number, 0 for no limit.';
  return errors;
}

/** `updateRepo` replaces every setting, so the input always carries all of them. */
export function toRepoInput(draft: RepoDraft): RepoInput {
  const optional = (v: string) => (v.trim() === '' ? null : v.trim());
  return {
    name: draft.name.trim(),
    url: draft.url.trim(),
    forge: draft.forge,
    defaultBranch: draft.defaultBranch.trim(),
    ciCommand: optional(draft.ciCommand),
    setupCommands: draft.setupCommands
      .split('\n')
      .map((c) => c.trim())
      .filter((c) => c.length > 0),
    autoMerge: draft.autoMerge,
    approvalRequired: draft.approvalRequired,
    cautious: draft.cautious,
    reviewAgentEnabled: draft.reviewAgentEnabled,
    maxConcurrency: Number(draft.maxConcurrency),
    defaultAgent: optional(draft.defaultAgent),
    defaultModel: optional(draft.defaultModel),
    defaultTemplate: optional(draft.defaultTemplate),
  };
}
