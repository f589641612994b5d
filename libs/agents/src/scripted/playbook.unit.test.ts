import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parsePlaybook, selectSteps } from './playbook.js';

function errorsOf(source: string): readonly string[] {
  const result = parsePlaybook(source);
  if (result.ok) throw new Error('expected the playbook to be rejected');
  return result.errors;
}

describe('parsePlaybook', () => {
  it('reads every kind of step', () => {
    const result = parsePlaybook(`
initial:
  - print: looking at the code
    delay_ms: 20
  - write: { path: src/sum.js, content: "export const sum = (a, b) => a - b;\\n" }
  - patch: { path: src/sum.js, find: "a - b", replace: "a + b" }
  - append: { path: NOTES.md, content: "done\\n" }
  - run: npm test
  - sleep_ms: 5
  - usage: { input_tokens: 1200, cached_input_tokens: 200, output_tokens: 300, cost_usd: 0.02, model: fake-1 }
  - exit: 1
review:
  - review:
      verdict: request_changes
      body: please rename
      comments: [{ path: src/sum.js, line: 1, body: call it add }]
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.get('initial')).toEqual([
      { type: 'print', text: 'looking at the code', delayMs: 20 },
      { type: 'write', path: 'src/sum.js', content: 'export const sum = (a, b) => a - b;\n' },
      { type: 'patch', path: 'src/sum.js', find: 'a - b', replace: 'a + b' },
      { type: 'append', path: 'NOTES.md', content: 'done\n' },
      { type: 'run', command: 'npm test' },
      { type: 'sleep', ms: 5 },
      { type: 'usage', inputTokens: 1200, cachedInputTokens: 200, outputTokens: 300, costUsd: 0.02, model: 'fake-1' },
      { type: 'exit', code: 1 },
    ]);
    expect(result.value.get('review')).toEqual([
      {
        type: 'review',
        review: { verdict: 'request_changes', body: 'please rename', comments: [{ path: 'src/sum.js', line: 1, body: 'call it add' }] },
      },
    ]);
  });

  it.each([
    [
      'an unknown step, naming its index',
      'initial:\n  - print: a\n  - delete: x\n',
      'initial[1]: a step has exactly one of write, patch, append, run, print, sleep_ms, usage, review, exit (print may add delay_ms); found delete',
    ],
    [
      'a field of the wrong type',
      'initial:\n  - patch: { path: a.js, find: 3, replace: b }\n',
      'initial[0].patch.find: expected a string, got number 3',
    ],
    ['a missing field', 'initial:\n  - write: { path: a.js }\n', 'initial[0].write.content: expected a string, got nothing'],
    [
      'an unknown field',
      'initial:\n  - write: { path: a.js, content: x, mode: 755 }\n',
      'initial[0].write.mode: unknown field; accepted: path, content',
    ],
    [
      'a path outside the working directory',
      'initial:\n  - write: { path: ../../etc/passwd, content: x }\n',
      'initial[0].write.path: expected a relative path inside the working directory, got "../../etc/passwd"',
    ],
    [
      'an absolute path',
      'initial:\n  - append: { path: /tmp/x, content: x }\n',
      'initial[0].append.path: expected a relative path inside the working directory, got "/tmp/x"',
    ],
    ['an exit code out of range', 'initial:\n  - exit: 300\n', 'initial[0].exit: expected an exit code from 0 to 255, got number 300'],
    ['a negative delay', 'initial:\n  - print: a\n    delay_ms: -1\n', 'initial[0].delay_ms: expected a whole number >= 0, got number -1'],
    [
      'a bad verdict',
      'review:\n  - review: { verdict: lgtm }\n',
      'review[0].review.verdict: expected approve or request_changes, got string "lgtm"',
    ],
    [
      'a comment without a line',
      'review:\n  - review: { verdict: approve, comments: [{ path: a, body: b }] }\n',
      'review[0].review.comments[0].line: expected a whole number >= 0, got nothing',
    ],
    [
      'usage without output tokens',
      'initial:\n  - usage: { input_tokens: 1 }\n',
      'initial[0].usage.output_tokens: expected a whole number >= 0, got nothing',
    ],
    [
      'an unknown run kind',
      'resume:flaky:\n  - exit: 0\n',
      'unknown run kind "resume:flaky"; accepted: initial, resume, resume:ci_failure, resume:review, resume:conflict, resume:user_message, review, default (optionally followed by #<attempt>, e.g. initial#2)',
    ],
    ['steps that are not a list', 'initial: { print: a }\n', 'initial: expected a list of steps, got a mapping'],
    ['a document that is not a mapping', '- print: a\n', 'a playbook is a mapping of run kinds to step lists, got a list'],
  ])('rejects %s', (_what, source, message) => {
    expect(errorsOf(source)).toContain(message);
  });

  it('reports every problem at once, not just the first', () => {
    expect(errorsOf('initial:\n  - exit: x\n  - run: 3\n')).toEqual([
      'initial[0].exit: expected an exit code from 0 to 255, got string "x"',
      'initial[1].run: expected a command string, got number 3',
    ]);
  });

  it('rejects broken YAML and duplicate run kinds', () => {
    expect(errorsOf('initial: [\n')[0]).toMatch(/^not valid YAML: /);
    expect(errorsOf('initial: []\ninitial: []\n')[0]).toMatch(/^not valid YAML: .*unique/i);
  });

  it('never throws, whatever the document', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.anything().map((value) => stringify(value) ?? ''),
        ),
        (source) => {
          const result = parsePlaybook(source);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts any generated valid playbook and keeps its steps in order', () => {
    const text = fc.string({ maxLength: 20 });
    const path = fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8}){0,2}\.[a-z]{1,3}$/);
    const step = fc.oneof(
      fc.record({ write: fc.record({ path, content: text }) }),
      fc.record({ run: fc.stringMatching(/^[a-z]{1,10}$/) }),
      fc.record({ print: text, delay_ms: fc.nat(1000) }),
      fc.record({ sleep_ms: fc.nat(1000) }),
      fc.record({ exit: fc.integer({ min: 0, max: 255 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), (steps) => {
        const result = parsePlaybook(stringify({ initial: steps }));
        expect(result.ok).toBe(true);
        if (result.ok)
          expect(result.value.get('initial')?.map((s) => s.type)).toEqual(
            steps.map((s) => (Object.keys(s)[0] === 'sleep_ms' ? 'sleep' : Object.keys(s)[0])),
          );
      }),
    );
  });
});

describe('selectSteps', () => {
  const playbook = (() => {
    const result = parsePlaybook(`
initial: [{ print: first }]
initial#2: [{ print: second }]
resume: [{ print: any resume }]
resume:review: [{ print: review feedback }]
default: [{ print: fallback }]
`);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    return result.value;
  })();
  const printed = (key: string, attempt: number) =>
    selectSteps(playbook, key, attempt)?.map((step) => (step.type === 'print' ? step.text : step.type));

  it.each([
    ['initial', 1, 'first'],
    ['initial', 2, 'second'],
    ['initial', 3, 'first'],
    ['resume:review', 4, 'review feedback'],
    ['resume:ci_failure', 2, 'any resume'],
    ['review', 1, 'fallback'],
  ])('runs %s attempt %i from its section: %s', (key, attempt, text) => {
    expect(printed(key, attempt)).toEqual([text]);
  });

  it('finds nothing when neither the run kind nor default is there', () => {
    const result = parsePlaybook('initial: [{ exit: 0 }]\n');
    expect(result.ok && selectSteps(result.value, 'review', 1)).toBeUndefined();
  });
});

describe('parsePlaybook on hostile input', () => {
  it('rejects a document that expands aliases without bound', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    expect(errorsOf(bomb)[0]).toMatch(/^not valid YAML: /);
  });
});
