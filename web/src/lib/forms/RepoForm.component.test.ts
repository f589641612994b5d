import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../graphql/errors.js';
import type { Repo, RepoInput } from '../graphql/types.js';
import RepoForm from './RepoForm.svelte';

const repo: Repo = {
  id: 'demo',
  name: 'demo',
  url: '/srv/demo.git',
  forge: 'local',
  defaultBranch: 'main',
  ciCommand: 'sh ci.sh',
  setupCommands: ['npm ci'],
  autoMerge: true,
  approvalRequired: true,
  cautious: false,
  reviewAgentEnabled: false,
  maxConcurrency: 2,
  defaultAgent: 'scripted',
  defaultModel: null,
  defaultTemplate: null,
  createdAt: '2026-11-20T10:00:00Z',
  updatedAt: '2026-11-20T10:00:00Z',
};

const save = async () => {
  await fireEvent.click(screen.getByRole('button', { name: /Save settings|Register repository/ }));
  await tick();
  await tick();
};

describe('RepoForm', () => {
  it('sends every setting back when editing, since updateRepo replaces them all', async () => {
    const sent: RepoInput[] = [];
    render(RepoForm, { repo, submit: async (input: RepoInput) => void sent.push(input) });
    await fireEvent.input(screen.getByLabelText('Setup commands'), { target: { value: 'npm ci\n\n  make build  ' } });
    await fireEvent.click(screen.getByLabelText(/Cautious/));
    await save();
    expect(sent).toEqual([
      {
        name: 'demo',
        url: '/srv/demo.git',
        forge: 'local',
        defaultBranch: 'main',
        ciCommand: 'sh ci.sh',
        setupCommands: ['npm ci', 'make build'],
        autoMerge: true,
        approvalRequired: true,
        cautious: true,
        reviewAgentEnabled: false,
        maxConcurrency: 2,
        defaultAgent: 'scripted',
        defaultModel: null,
        defaultTemplate: null,
      },
    ]);
  });

  it('checks the form before sending and shows the gateway’s field errors inline', async () => {
    const sent: RepoInput[] = [];
    render(RepoForm, {
      submit: async (input: RepoInput) => {
        sent.push(input);
        throw new GatewayError('url "/nope.git" is not a git repository', 'BAD_USER_INPUT', 'input.url');
      },
    });
    await save();
    expect(sent).toEqual([]);
    expect(screen.getByTestId('error-repo-new-name').textContent).toBe('Name the repository.');
    expect(screen.getByTestId('error-repo-new-url').textContent).toBe('Give a local path or a git URL.');

    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'web' } });
    await fireEvent.input(screen.getByLabelText('URL or path'), { target: { value: '/nope.git' } });
    await save();
    expect(sent).toHaveLength(1);
    expect(screen.getByTestId('error-repo-new-url').textContent).toBe('url "/nope.git" is not a git repository');
    expect(screen.getByLabelText('URL or path').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('error-repo-new-name')).toBeNull();
  });
});
