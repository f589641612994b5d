import { parseArgs } from 'node:util';
import {
  ApproveMergeSchema,
  CancelTaskSchema,
  CreateTaskSchema,
  ResumeTaskSchema,
  RetryTaskSchema,
  TaskKind,
  TaskSourceKind,
} from '@cohort/contracts';
import { fold, stageOf, type TaskState } from '@cohort/domain';
import type { CliConfig } from '../config.js';
import { UsageError } from '../usage.js';
import { reportCommand } from './output.js';
import { openSession, type Session } from './session.js';
import { listTaskIds } from './task-ids.js';
import { describeTask, summarizeTask } from './task-view.js';

export const TASK_USAGE = `usage: cohort task <command>
  create --title <t> (--repo <id> | --standalone) [--prompt <p>] [--template <id>] [--param k=v]...
         [--agent <a>] [--model <m>] [--priority <n>] [--budget <usd>] [--id <task id>]
  list [--state <state>]
  show <task>
  cancel <task> [--reason <r>]
  retry <task>
  resume <task> --message <m>
  approve-merge <task>
all take --json`;

export async function taskVerb(args: string[], config: CliConfig): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create':
      return create(rest, config);
    case 'list':
      return list(rest, config);
    case 'show':
      return show(rest, config);
    case 'cancel':
    case 'retry':
    case 'resume':
    case 'approve-merge':
      return simple(sub, rest, config);
    default:
      throw new UsageError(sub ? `unknown task command "${sub}"\n\n${TASK_USAGE}` : TASK_USAGE);
  }
}

function parseParams(pairs: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--param takes name=value, got "${pair}"`);
    params[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return params;
}

function numberOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return value;
}

async function create(args: string[], config: CliConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      title: { type: 'string' },
      repo: { type: 'string' },
      standalone: { type: 'boolean', default: false },
      prompt: { type: 'string', default: '' },
      template: { type: 'string', default: '' },
      param: { type: 'string', multiple: true, default: [] },
      agent: { type: 'string', default: '' },
      model: { type: 'string', default: '' },
      priority: { type: 'string' },
      budget: { type: 'string' },
      branch: { type: 'string', default: '' },
      id: { type: 'string', default: '' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${TASK_USAGE}`);
  if (!values.title) throw new UsageError(`task create needs --title\n\n${TASK_USAGE}`);
  if (!values.repo && !values.standalone) throw new UsageError('task create needs --repo <id> or --standalone');
  if (values.repo && values.standalone) throw new UsageError('--repo and --standalone exclude each other');
  const session = await openSession(config);
  try {
    const result = await session.commands.send('intake', 'CreateTask', CreateTaskSchema, {
      kind: values.standalone ? TaskKind.STANDALONE : TaskKind.REPO,
      title: values.title,
      prompt: values.prompt,
      templateId: values.template,
      params: parseParams(values.param),
      repoId: values.repo ?? '',
      baseBranch: values.branch,
      agent: values.agent,
      model: values.model,
      priority: numberOption('priority', values.priority, 0),
      budgetUsd: numberOption('budget', values.budget, 0),
      source: { kind: TaskSourceKind.MANUAL },
      taskId: values.id,
    });
    return reportCommand(result, values.json, (id) => `created task ${id}\nfollow it with: ./cohort logs -f ${id}`);
  } finally {
    await session.close();
  }
}

async function loadTask(session: Session, taskId: string): Promise<TaskState | undefined> {
  const { events } = await session.events.read({ type: 'task', id: taskId });
  return events.length === 0 ? undefined : fold(events as never);
}

async function show(args: string[], config: CliConfig): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new UsageError(`task show takes one task id\n\n${TASK_USAGE}`);
  const session = await openSession(config);
  try {
    const state = await loadTask(session, positionals[0]!);
    if (!state) {
      console.error(`cohort: task "${positionals[0]}" does not exist`);
      return 1;
    }
    console.log(values.json ? JSON.stringify(summarizeTask(state)) : describeTask(state));
    return 0;
  } finally {
    await session.close();
  }
}

async function list(args: string[], config: CliConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { state: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${TASK_USAGE}`);
  const session = await openSession(config);
  try {
    const tasks: TaskState[] = [];
    for (const id of await listTaskIds(session)) {
      const state = await loadTask(session, id);
      if (state && (!values.state || state.status === values.state)) tasks.push(state);
    }
    if (values.json) console.log(JSON.stringify(tasks.map(summarizeTask)));
    else if (tasks.length === 0) console.log('no tasks');
    else for (const t of tasks) console.log(`${t.id}  ${t.status.padEnd(15)} ${stageOf(t).padEnd(8)} ${t.spec.title}`);
    return 0;
  } finally {
    await session.close();
  }
}

async function simple(sub: 'cancel' | 'retry' | 'resume' | 'approve-merge', args: string[], config: CliConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { reason: { type: 'string', default: '' }, message: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError(`task ${sub} takes one task id\n\n${TASK_USAGE}`);
  if (sub === 'resume' && !values.message) throw new UsageError('task resume needs --message');
  const taskId = positionals[0]!;
  const session = await openSession(config);
  try {
    const result =
      sub === 'cancel'
        ? await session.commands.send('intake', 'CancelTask', CancelTaskSchema, { taskId, reason: values.reason })
        : sub === 'retry'
          ? await session.commands.send('intake', 'RetryTask', RetryTaskSchema, { taskId })
          : sub === 'resume'
            ? await session.commands.send('intake', 'ResumeTask', ResumeTaskSchema, { taskId, message: values.message! })
            : await session.commands.send('intake', 'ApproveMerge', ApproveMergeSchema, { taskId });
    return reportCommand(result, values.json, (id) => `${sub}: accepted for task ${id || taskId}`);
  } finally {
    await session.close();
  }
}
