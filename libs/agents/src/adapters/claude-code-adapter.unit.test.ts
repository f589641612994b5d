import { describe, expect, it } from 'vitest';
import { replayTranscript } from '../../test/replay-transcript.js';
import { claudeCodeAdapter } from './claude-code-adapter.js';

const adapter = claudeCodeAdapter();

describe('claude-code adapter', () => {
  it('runs claude headless with stream-json output and passes the prompt on stdin', () => {
    const command = adapter.buildCommand({
      prompt: 'fix the test; rm -rf "$HOME"',
      workdir: '/w',
      model: 'claude-sonnet-4-5',
      runKind: 'initial',
      env: { ANTHROPIC_API_KEY: 'k' },
    });
    expect(command.command).toBe('claude');
    expect(command.args).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--dangerously-skip-permissions',
      '--model',
      'claude-sonnet-4-5',
    ]);
    expect(command.stdin).toBe('fix the test; rm -rf "$HOME"');
    expect(command.env).toEqual({ ANTHROPIC_API_KEY: 'k' });
  });

  it('resumes the earlier session when one is known', () => {
    const command = adapter.buildCommand({
      prompt: 'p',
      workdir: '/w',
      model: '',
      runKind: 'resume',
      resumeReason: 'ci_failure',
      sessionId: 's-1',
      env: {},
    });
    expect(command.args.slice(-2)).toEqual(['--resume', 's-1']);
    expect(command.args).not.toContain('--model');
  });

  it('turns a recorded session into text, thinking, tool and result entries', () => {
    const replay = replayTranscript(adapter, 'claude-code-stream.jsonl');
    expect(replay.entries.map((entry) => [entry.kind, entry.level, entry.text])).toEqual([
      ['text', 'debug', 'session started (model claude-sonnet-4-5-20250929)'],
      ['thinking', 'debug', 'The test for sum fails; look at src/sum.js first.'],
      ['text', 'info', "I'll run the tests to see the failure."],
      ['tool', 'info', 'Bash: $ npm test'],
      ['tool', 'warn', '> demo@1.0.0 test\n> node --test\n\nnot ok 1 - sum adds\n  expected 3, got -1'],
      ['tool', 'info', 'Edit: /data/worktrees/t-42/src/sum.js'],
      ['tool', 'info', 'The file /data/worktrees/t-42/src/sum.js has been updated.'],
      ['text', 'info', 'Fixed the operator in sum; the test passes now.'],
      ['result', 'info', 'Fixed the operator in sum; the test passes now.'],
    ]);
    expect(replay.sessionId).toBe('9b2f6c1e-0d3a-4c8e-9f11-5a7e2b3c4d5e');
  });

  it('reports usage once, from the final result, with cache writes as input and cache reads as cached input', () => {
    const replay = replayTranscript(adapter, 'claude-code-stream.jsonl');
    expect(replay.usageReports).toBe(1);
    expect(replay.usage).toEqual({
      inputTokens: 18 + 5570,
      cachedInputTokens: 43540,
      outputTokens: 240,
      costUsd: 0.0482,
      model: 'claude-sonnet-4-5-20250929',
    });
  });

  it('logs a result that ended in error as an error, still with its usage', () => {
    const replay = replayTranscript(adapter, 'claude-code-error.jsonl');
    expect(replay.entries.at(-1)).toEqual({ level: 'error', kind: 'error', text: 'error_max_turns' });
    expect(replay.usage).toMatchObject({ inputTokens: 100, outputTokens: 50, costUsd: 0.012 });
    expect(replay.sessionId).toBe('s-err');
  });

  it('keeps a line that is not a stream-json message as plain text', () => {
    expect(adapter.parseLine('{"type":"assistant","message":{"content":[{"ty', 'stdout').entries).toEqual([
      { level: 'info', kind: 'text', text: '{"type":"assistant","message":{"content":[{"ty' },
    ]);
    expect(adapter.parseLine('Error: not logged in', 'stderr').entries).toEqual([
      { level: 'warn', kind: 'text', text: 'Error: not logged in' },
    ]);
  });
});
