import { describe, expect, it } from 'vitest';
import { type BuildCommandInput } from '../agent-adapter.js';
import { copilotAdapter, geminiAdapter, opencodeAdapter } from './plain-text-adapters.js';

const input: BuildCommandInput = { prompt: 'fix "it"; exit 1', workdir: '/w', model: 'm-1', runKind: 'initial', env: { K: 'v' } };

describe('plain-text adapters', () => {
  it.each([
    [geminiAdapter(), 'gemini', ['--yolo', '--model', 'm-1', '--prompt', 'fix "it"; exit 1']],
    [opencodeAdapter(), 'opencode', ['run', '--model', 'm-1', 'fix "it"; exit 1']],
    [copilotAdapter(), 'copilot', ['--allow-all-tools', '--model', 'm-1', '-p', 'fix "it"; exit 1']],
  ])('%#: passes the prompt as one argument, untouched by any shell', (adapter, command, args) => {
    expect(adapter.buildCommand(input)).toEqual({ command, args, env: { K: 'v' } });
  });

  it('continues an earlier session for the CLIs that take one', () => {
    expect(opencodeAdapter().buildCommand({ ...input, sessionId: 's' }).args).toEqual([
      'run',
      '--model',
      'm-1',
      '--session',
      's',
      input.prompt,
    ]);
    expect(copilotAdapter().buildCommand({ ...input, sessionId: 's' }).args).toContain('--resume');
  });

  it('logs each stdout line as text and stderr as a warning, dropping blank lines', () => {
    const adapter = geminiAdapter();
    expect(adapter.parseLine('Done: 2 files changed', 'stdout').entries).toEqual([
      { level: 'info', kind: 'text', text: 'Done: 2 files changed' },
    ]);
    expect(adapter.parseLine('quota low', 'stderr').entries).toEqual([{ level: 'warn', kind: 'text', text: 'quota low' }]);
    expect(adapter.parseLine('   ', 'stdout').entries).toEqual([]);
  });
});
