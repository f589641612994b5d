import { describe, expect, it } from 'vitest';
import { parseArgs } from './cli-args.js';

describe('scripted agent arguments', () => {
  it('reads every flag, in both --flag value and --flag=value forms', () => {
    expect(
      parseArgs([
        '--run-kind',
        'resume:conflict',
        '--attempt=3',
        '--playbook',
        'p.yaml',
        '--prompt-file',
        'x',
        '--model=m',
        '--session-id',
        's',
      ]),
    ).toEqual({
      ok: true,
      value: { runKind: 'resume:conflict', attempt: 3, playbook: 'p.yaml', promptFile: 'x', model: 'm', sessionId: 's' },
    });
  });

  it('defaults to the first attempt', () => {
    expect(parseArgs(['--run-kind', 'initial'])).toEqual({ ok: true, value: { runKind: 'initial', attempt: 1 } });
  });

  it.each([
    [[], '--run-kind is required'],
    [['--run-kind', 'default'], '--run-kind "default" is not a run kind'],
    [['--run-kind', 'resume:ci'], '--run-kind "resume:ci" is not a run kind'],
    [['--run-kind', 'initial', '--attempt', '0'], '--attempt expects a whole number >= 1, got "0"'],
    [['--run-kind', 'initial', '--attempt', '1.5'], '--attempt expects a whole number >= 1, got "1.5"'],
    [['--run-kind'], '--run-kind needs a value'],
    [['prompt text'], 'unknown argument "prompt text"'],
  ])('rejects %j: %s', (argv, error) => {
    expect(parseArgs(argv)).toEqual({ ok: false, error });
  });
});
