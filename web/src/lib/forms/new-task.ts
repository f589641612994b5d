import type { CreateTaskInput, Param, TaskKind, Template, TemplateParam } from '../graphql/types.js';

/** What the new-task form holds, as strings the inputs edit. */
export interface NewTaskDraft {
  kind: TaskKind;
  title: string;
  prompt: string;
  repoId: string;
  baseBranch: string;
  templateId: string;
  params: Record<string, string>;
  agent: string;
  model: string;
  priority: string;
  budgetUsd: string;
}

export const emptyDraft = (kind: TaskKind = 'repo'): NewTaskDraft => ({
  kind,
  title: '',
  prompt: '',
  repoId: '',
  baseBranch: '',
  templateId: '',
  params: {},
  agent: '',
  model: '',
  priority: '',
  budgetUsd: '',
});

/** Template params with their defaults filled in, for a freshly picked template. */
export function paramDefaults(template: Template | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of template?.params ?? []) out[p.name] = p.default ?? (p.type === 'boolean' ? 'false' : '');
  return out;
}

function checkParam(param: TemplateParam, value: string): string | undefined {
  if (value.trim() === '') return param.required ? `${param.name} is required.` : undefined;
  if (param.type === 'number' && !Number.isFinite(Number(value))) return `${param.name} must be a number.`;
  if (param.type === 'boolean' && value !== 'true' && value !== 'false') return `${param.name} must be true or false.`;
  if (param.type === 'enum' && param.values && !param.values.includes(value))
    return `${param.name} must be one of ${param.values.join(', ')}.`;
  return undefined;
}

/**
 * Checks the draft the way the gateway will, so most mistakes are shown before a
 * round trip; returns errors keyed by field (`title`, `params.<name>`, …).
 */
export function validateDraft(draft: NewTaskDraft, template: Template | undefined): Record<string, string> {
  const errors: Record<string, string> = {};
  if (draft.title.trim() === '') errors.title = 'Give the task a title.';
  if (draft.kind === 'repo' && draft.repoId === '') errors.repoId = 'Pick the repository to work on.';
  if (draft.kind === 'repo' && draft.prompt.trim() === '' && !template) errors.prompt = 'Say what the agent should do.';
  if (draft.kind === 'standalone' && draft.prompt.trim() === '' && !template) errors.prompt = 'Write a prompt or pick a template.';
  if (draft.priority.trim() !== '' && !Number.isInteger(Number(draft.priority))) errors.priority = 'Priority is a whole number.';
  if (draft.budgetUsd.trim() !== '' && !(Number(draft.budgetUsd) > 0)) errors.budgetUsd = 'The budget is a positive amount of USD.';
  for (const param of template?.params ?? []) {
    const problem = checkParam(param, draft.params[param.name] ?? '');
    if (problem) errors[`params.${param.name}`] = problem;
  }
  return errors;
}

/** The `CreateTaskInput` for a valid draft; optional fields left blank are omitted. */
export function toCreateTaskInput(draft: NewTaskDraft, template: Template | undefined): CreateTaskInput {
  const input: CreateTaskInput = { kind: draft.kind, title: draft.title.trim() };
  if (draft.prompt.trim()) input.prompt = draft.prompt.trim();
  if (draft.kind === 'repo') {
    input.repoId = draft.repoId;
    if (draft.baseBranch.trim()) input.baseBranch = draft.baseBranch.trim();
  }
  if (template) {
    input.templateId = template.id;
    const params: Param[] = template.params
      .map((p) => ({ name: p.name, value: draft.params[p.name] ?? '' }))
      .filter((p) => p.value.trim() !== '');
    if (params.length > 0) input.params = params;
  }
  if (draft.agent.trim()) input.agent = draft.agent.trim();
  if (draft.model.trim()) input.model = draft.model.trim();
  if (draft.priority.trim()) input.priority = Number(draft.priority);
  if (draft.budgetUsd.trim()) input.budgetUsd = Number(draft.budgetUsd);
  return input;
}
