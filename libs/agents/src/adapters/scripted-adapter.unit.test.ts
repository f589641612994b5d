import { describe, expect, it } from 'vitest';
import { replayLines } from '../../test/replay-transcript.js';
import { encodeScriptedEvent } from '../scripted/scripted-events.js';
import { scriptedAdapter } from './scripted-adapter.js';

describe('scripted adapter', () => {
  it('runs the repository scripted agent with the run kind key and attempt, prompt on stdin', () => {
    const command = scriptedAdapter().buildCommand({
      prompt: 'CI failed:\nnot ok 1',
      workdir: '/w',
      model: '',
      runKind: 'resume',
      resumeReason: 'ci_failure',
      attempt: 2,
      env: { A: '1' },
    });
    expect(command.command).toMatch(/\/tools\/agents\/scripted$/);
    expect(command.args).toEqual(['--run-kind', 'resume:ci_failure', '--attempt', '2']);
    expect(command.stdin).toBe('CI failed:\nnot ok 1');
    expect(command.env).toEqual({ A: '1' });
  });

  it('passes a configured playbook, model and session', () => {
    const command = scriptedAdapter({ executable: '/bin/agent', playbook: '/p.yaml' }).buildCommand({
      prompt: '',
      workdir: '/w',
      model: 'm',
      runKind: 'review',
      sessionId: 's',
      env: {},
    });
    expect(command.command).toBe('/bin/agent');
    expect(command.args).toEqual(['--run-kind', 'review', '--attempt', '1', '--playbook', '/p.yaml', '--model', 'm', '--session-id', 's']);
  });

  it('parses every event of the scripted protocol', () => {
    const replay = replayLines(scriptedAdapter(), [
      encodeScriptedEvent({ type: 'prompt', text: '[prompt] fix it' }),
      encodeScriptedEvent({ type: 'text', text: 'looking' }),
      encodeScriptedEvent({ type: 'tool', text: '$ npm test' }),
      encodeScriptedEvent({ type: 'output', stream: 'stderr', text: 'boom' }),
      encodeScriptedEvent({ type: 'usage', input_tokens: 10, cached_input_tokens: 2, output_tokens: 3, cost_usd: 0.5, model: 'fake-1' }),
      encodeScriptedEvent({ type: 'usage', input_tokens: 1, cached_input_tokens: 0, output_tokens: 1 }),
      encodeScriptedEvent({ type: 'review', verdict: 'request_changes', body: 'nope', comments: [{ path: 'a.ts', line: 3, body: 'x' }] }),
      encodeScriptedEvent({ type: 'error', text: 'bad step' }),
      encodeScriptedEvent({ type: 'result', exit_code: 1, session_id: 'scripted-initial-1', text: 'done' }),
    ]);
    expect(replay.entries).toEqual([
      { level: 'info', kind: 'text', text: '[prompt] fix it' },
      { level: 'info', kind: 'text', text: 'looking' },
      { level: 'info', kind: 'tool', text: '$ npm test' },
      { level: 'warn', kind: 'tool', text: 'boom' },
      { level: 'info', kind: 'result', text: 'review: request_changes with 1 comment(s)' },
      { level: 'error', kind: 'error', text: 'bad step' },
      { level: 'error', kind: 'result', text: 'done' },
    ]);
    expect(replay.usage).toEqual({ inputTokens: 11, cachedInputTokens: 2, outputTokens: 4, costUsd: 0.5, model: 'fake-1' });
    expect(replay.review).toEqual({ verdict: 'request_changes', body: 'nope', comments: [{ path: 'a.ts', line: 3, body: 'x' }] });
    expect(replay.sessionId).toBe('scripted-initial-1');
  });

  it('keeps a review with an unknown verdict as text rather than inventing one', () => {
    const line = '{"type":"review","verdict":"maybe"}';
    expect(scriptedAdapter().parseLine(line, 'stdout')).toEqual({ entries: [{ level: 'info', kind: 'text', text: line }] });
  });
});
