import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../graphql/errors.js';
import type { CommandResult, CreateTaskInput, Template } from '../graphql/types.js';
import NewTaskForm from './NewTaskForm.svelte';

const repos = [{ id: 'demo', name: 'demo', defaultBranch: 'main', defaultAgent: 'scripted', defaultModel: null }];
const templates: Template[] = [
  {
    id: 'triage',
    title: 'Triage an issue',
    description: 'Reads a ticket and proposes a plan.',
    params: [
      { name: 'ticket', type: 'string', required: true, default: null, values: null, description: 'The ticket id' },
      { name: 'depth', type: 'enum', required: true, default: 'quick', values: ['quick', 'thorough'], description: 'How deep to go' },
      { name: 'notify', type: 'boolean', required: false, default: null, values: null, description: 'Post a comment' },
    ],
  },
];
const ok: CommandResult = { id: 'task-1', eventIds: ['e1'], position: '7' };

function setup(submit: (input: CreateTaskInput) => Promise<CommandResult>) {
  const created: CommandResult[] = [];
  render(NewTaskForm, { repos, templates, submit, created: (r: CommandResult) => created.push(r) });
  return { created };
}

const type = async (label: string | RegExp, value: string) => fireEvent.input(screen.getByLabelText(label), { target: { value } });
const create = async () => {
  await fireEvent.click(screen.getByRole('button', { name: 'Create task' }));
  await tick();
  await tick();
};

describe('NewTaskForm', () => {
  it('creates a repo task with only the fields that were filled in', async () => {
    const sent: CreateTaskInput[] = [];
    const { created } = setup(async (input) => (sent.push(input), ok));
    await fireEvent.change(screen.getByLabelText('Repository'), { target: { value: 'demo' } });
    await type('Title', '  Greet Cohort ');
    await type('Prompt', 'Make the greeting name Cohort');
    await create();
    expect(sent).toEqual([{ kind: 'repo', title: 'Greet Cohort', repoId: 'demo', prompt: 'Make the greeting name Cohort' }]);
    expect(created).toEqual([ok]);
  });

  it('shows what is missing next to each field without calling the gateway', async () => {
    const sent: CreateTaskInput[] = [];
    setup(async (input) => (sent.push(input), ok));
    await create();
    expect(sent).toEqual([]);
    expect(screen.getByTestId('error-title').textContent).toBe('Give the task a title.');
    expect(screen.getByTestId('error-repoId').textContent).toBe('Pick the repository to work on.');
    expect(screen.getByLabelText('Title').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Title').getAttribute('aria-describedby')).toBe('title-error');
  });

  it('shows the gateway’s BAD_USER_INPUT next to the field it names', async () => {
    setup(async () => {
      throw new GatewayError('repo "demo" is not registered; register it with registerRepo', 'BAD_USER_INPUT', 'input.repoId', undefined, [
        {
          message: 'repo "demo" is not registered; register it with registerRepo',
          extensions: { code: 'BAD_USER_INPUT', field: 'input.repoId' },
        },
        { message: 'model "gpt-9" is not offered by agent scripted', extensions: { code: 'BAD_USER_INPUT', field: 'input.model' } },
      ]);
    });
    await fireEvent.change(screen.getByLabelText('Repository'), { target: { value: 'demo' } });
    await type('Title', 'x');
    await type('Prompt', 'y');
    await create();
    expect(screen.getByTestId('error-repoId').textContent).toContain('is not registered');
    expect(screen.getByTestId('error-model').textContent).toContain('gpt-9');
    // The field sits in the collapsed advanced section, which opens to show it.
    expect(screen.getByText('Agent, model and limits').closest('details')!.open).toBe(true);
    expect(screen.queryByTestId('form-error')).toBeNull();
  });

  it('shows errors that name no field, or a field it does not have, at the top', async () => {
    setup(async () => {
      throw new GatewayError('intake did not answer within 5 s', 'UNAVAILABLE');
    });
    await fireEvent.change(screen.getByLabelText('Repository'), { target: { value: 'demo' } });
    await type('Title', 'x');
    await type('Prompt', 'y');
    await create();
    expect(screen.getByTestId('form-error').textContent).toBe('intake did not answer within 5 s');
  });

  it('offers a template’s declared params with their defaults and sends them', async () => {
    const sent: CreateTaskInput[] = [];
    setup(async (input) => (sent.push(input), ok));
    await fireEvent.click(screen.getByLabelText(/Standalone/));
    await fireEvent.change(screen.getByLabelText('Template'), { target: { value: 'triage' } });
    const params = within(screen.getByTestId('template-params'));
    expect(params.getByLabelText('ticket (required)')).toBeTruthy();
    expect((params.getByLabelText('depth (required)') as HTMLSelectElement).value).toBe('quick');
    expect(params.getByText('The ticket id')).toBeTruthy();

    await type('Title', 'Triage 42');
    await create();
    expect(sent).toEqual([]);
    expect(screen.getByTestId('error-param-ticket').textContent).toBe('ticket is required.');

    await fireEvent.input(params.getByLabelText('ticket (required)'), { target: { value: 'GH-42' } });
    await fireEvent.change(params.getByLabelText('depth (required)'), { target: { value: 'thorough' } });
    await fireEvent.click(params.getByLabelText('notify'));
    await create();
    expect(sent).toEqual([
      {
        kind: 'standalone',
        title: 'Triage 42',
        templateId: 'triage',
        params: [
          { name: 'ticket', value: 'GH-42' },
          { name: 'depth', value: 'thorough' },
          { name: 'notify', value: 'true' },
        ],
      },
    ]);
  });

  it('shows a gateway error about a template param next to that param', async () => {
    setup(async () => {
      throw new GatewayError('ticket "GH-0" does not exist', 'BAD_USER_INPUT', 'params.ticket');
    });
    await fireEvent.click(screen.getByLabelText(/Standalone/));
    await fireEvent.change(screen.getByLabelText('Template'), { target: { value: 'triage' } });
    await type('Title', 'Triage');
    await fireEvent.input(screen.getByLabelText('ticket (required)'), { target: { value: 'GH-0' } });
    await create();
    expect(screen.getByTestId('error-param-ticket').textContent).toBe('ticket "GH-0" does not exist');
    expect(screen.getByLabelText('ticket (required)').getAttribute('aria-invalid')).toBe('true');
  });
});
