import { describe, expect, it } from 'vitest';
import { replayTranscript } from '../../test/replay-transcript.js';
import { codexAdapter } from './codex-adapter.js';

const adapter = codexAdapter();

describe('codex adapter', () => {
  it('runs codex exec with JSON events and the prompt on stdin', () => {
    const command = adapter.buildCommand({ prompt: '$(whoami)', workdir: '/w', model: 'gpt-5-codex', runKind: 'initial', env: {} });
    expect(command).toEqual({
      command: 'codex',
      args: ['exec', '--json', '--full-auto', '--skip-git-repo-check', '--model', 'gpt-5-codex', '-'],
      env: {},
      stdin: '$(whoami)',
    });
  });

  it('resumes the earlier thread when one is known', () => {
    const command = adapter.buildCommand({
      prompt: 'p',
      workdir: '/w',
      model: '',
      runKind: 'resume',
      resumeReason: 'review',
      sessionId: 'th-1',
      env: {},
    });
    expect(command.args).toEqual(['exec', 'resume', 'th-1', '--json', '--full-auto', '--skip-git-repo-check', '-']);
  });

  it('turns a recorded exec into thinking, command, file and message entries', () => {
    const replay = replayTranscript(adapter, 'codex-exec.jsonl');
    expect(replay.entries.map((entry) => [entry.kind, entry.level, entry.text])).toEqual([
      ['text', 'debug', 'session started'],
      ['thinking', 'debug', '**Finding the failing test**'],
      ['tool', 'warn', "$ bash -lc 'npm test' (exit 1)\nnot ok 1 - sum adds\n"],
      ['tool', 'info', 'files: update src/sum.js'],
      ['tool', 'info', "$ bash -lc 'npm test' (exit 0)\nok 1 - sum adds\n"],
      ['text', 'info', 'Fixed `sum` to add its operands; tests pass.'],
    ]);
    expect(replay.sessionId).toBe('0199a213-81c0-7800-8aa1-bbab2a035a53');
  });

  it('reports the usage of each completed turn, cached tokens apart from fresh input, without a cost', () => {
    const replay = replayTranscript(adapter, 'codex-exec.jsonl');
    expect(replay.usageReports).toBe(1);
    expect(replay.usage).toEqual({ inputTokens: 24763 - 24448, cachedInputTokens: 24448, outputTokens: 122, model: '' });
  });

  it('logs a failed turn as errors', () => {
    const replay = replayTranscript(adapter, 'codex-failed.jsonl');
    expect(replay.entries.filter((entry) => entry.kind === 'error')).toEqual([
      { level: 'error', kind: 'error', text: 'stream disconnected before completion: rate limit reached' },
      { level: 'error', kind: 'error', text: 'stream disconnected before completion: rate limit reached' },
    ]);
    expect(replay.usageReports).toBe(0);
  });
});
