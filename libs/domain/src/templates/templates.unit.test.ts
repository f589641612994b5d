import { describe, expect, it } from 'vitest';
import { ResumeReason, RunKind } from '@cohort/contracts';
import { build, checks, CheckStatus, created, e, scheduled, TaskKind, withOpenPr } from '../../test/builders.js';
import { currentRun } from '../task/task-state.js';
import { DEFAULT_TEMPLATES, DEPENDENCY_REPORT_TEMPLATE } from './default-prompts.js';
import { renderDeclaration, validateParams, type TemplateDeclaration } from './params.js';
import { DEFAULT_PROMPT_TEXTS, promptForRun } from './prompt-for-run.js';
import { isFalsy, referencedVariables, renderTemplate } from './render.js';

const text = (source: string, data: Record<string, unknown>) => {
  const r = renderTemplate(source, data);
  if (!r.ok) throw new Error(r.error.message);
  return r.text;
};

describe('renderTemplate', () => {
  it('fills variables with spaces inside the braces and dotted paths', () => {
    expect(text('{{ name }} / {{issue.title}}', { name: 'a', issue: { title: 'B' } })).toBe('a / B');
  });

  it('does not escape HTML: prompts are plain text', () => {
    expect(text('{{ x }}', { x: '<a href="x">&</a>' })).toBe('<a href="x">&</a>');
  });

  it('names every missing variable at once', () => {
    const r = renderTemplate('{{ a }} {{ b.c }} {{ a }} {{ ok }}', { ok: 1, b: {} });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'missing_variables', missing: ['a', 'b.c'], message: 'missing template variables: a, b.c' },
    });
  });

  it('treats null as missing', () => {
    expect(renderTemplate('{{ a }}', { a: null })).toMatchObject({ ok: false, error: { missing: ['a'] } });
  });

  it.each([
    ['missing', {}],
    ['an empty string', { v: '' }],
    ['the string "false"', { v: 'false' }],
    ['the string "0"', { v: '0' }],
    ['false', { v: false }],
    ['0', { v: 0 }],
    ['an empty list', { v: [] }],
  ])('treats %s as false in if', (_name, data) => {
    expect(text('{{#if v}}yes{{else}}no{{/if}}', data)).toBe('no');
    expect(text('{{#unless v}}yes{{else}}no{{/unless}}', data)).toBe('yes');
  });

  it.each([
    ['a word', 'x'],
    ['1', 1],
    ['true', true],
    ['a list', [1]],
    ['an object', {}],
    ['" "', ' '],
  ])('treats %s as true in if', (_n, v) => {
    expect(text('{{#if v}}yes{{else}}no{{/if}}', { v })).toBe('yes');
  });

  it('nests conditionals and only requires variables of the branch taken', () => {
    const source = '{{#if a}}{{#if b}}{{ deep }}{{else}}A{{/if}}{{else}}{{ other }}{{/if}}';
    expect(text(source, { a: 1, b: 0 })).toBe('A');
    expect(text(source, { a: 1, b: 1, deep: 'D' })).toBe('D');
    expect(renderTemplate(source, { a: 0 })).toMatchObject({ ok: false, error: { missing: ['other'] } });
  });

  it('writes literal braces with a backslash', () => {
    expect(text('use \\{{ name }} here, {{ name }}', { name: 'x' })).toBe('use {{ name }} here, x');
  });

  it('iterates lists with each, checking variables per item, and renders the else of an empty list', () => {
    expect(text('{{#each xs}}[{{ n }}:{{ @index }}:{{ ../p }}]{{/each}}', { xs: [{ n: 1 }, { n: 2 }], p: 'P' })).toBe('[1:0:P][2:1:P]');
    expect(renderTemplate('{{#each xs}}{{ n }}{{/each}}', { xs: [{ n: 1 }, {}] })).toMatchObject({ ok: false, error: { missing: ['n'] } });
    expect(text('{{#each xs}}x{{else}}none{{/each}}', { xs: [] })).toBe('none');
    expect(text('{{#each o}}{{ this }}{{/each}}', { o: { a: 'A', b: 'B' } })).toBe('AB');
    expect(text('{{#each s}}{{ this }}{{else}}none{{/each}}', { s: 'str' })).toBe('none');
  });

  it('changes context with with, and renders its else when the value is falsy', () => {
    expect(text('{{#with issue}}{{ title }}{{/with}}', { issue: { title: 'T' } })).toBe('T');
    expect(text('{{#with issue}}{{ title }}{{else}}none{{/with}}', { issue: '' })).toBe('none');
  });

  it('accepts a literal as condition', () => {
    expect(text('{{#if "x"}}yes{{/if}}', {})).toBe('yes');
  });

  it('reports a syntax error', () => {
    expect(renderTemplate('{{#if a}}unclosed', { a: 1 })).toMatchObject({ ok: false, error: { code: 'syntax' } });
  });

  it.each([
    ['helpers with arguments', '{{ lookup a "b" }}'],
    ['registered helpers used as variables', '{{ log }}'],
    ['unknown block helpers', '{{#foo a}}x{{/foo}}'],
    ['blocks with more than one argument', '{{#if a b}}x{{/if}}'],
    ['partials', '{{> part }}'],
  ])('rejects %s', (_name, source) => {
    expect(renderTemplate(source, { a: 1, b: 1 })).toMatchObject({ ok: false, error: { code: 'syntax' } });
  });

  it('stops at the first unsupported construct inside blocks too', () => {
    expect(renderTemplate('{{#if a}}{{> p }}{{/if}}', { a: 1 })).toMatchObject({ ok: false, error: { code: 'syntax' } });
    expect(renderTemplate('{{#each xs}}{{> p }}{{/each}}', { xs: [1] })).toMatchObject({ ok: false, error: { code: 'syntax' } });
  });

  it('ignores comments and whitespace control', () => {
    expect(text('{{! note }}a {{~ b ~}} c', { b: 'B' })).toBe('aBc');
  });

  it('lists the variables a template refers to', () => {
    expect(
      referencedVariables('{{ a }}{{#if b.c}}{{ d }}{{else}}{{ e }}{{/if}}{{#each xs}}{{ inner }}{{/each}}{{ @index }}{{ lookup x "y" }}'),
    ).toEqual(['a', 'b.c', 'd', 'e', 'xs', 'x']);
  });

  it('agrees with isFalsy on null', () => {
    expect(isFalsy(null)).toBe(true);
  });
});

describe('validateParams', () => {
  const decl: TemplateDeclaration = {
    id: 'demo',
    title: 'Demo',
    description: '',
    params: [
      { name: 'name', type: 'string', required: true, description: 'who' },
      { name: 'count', type: 'number', default: 3, description: 'how many' },
      { name: 'loud', type: 'boolean', description: 'shout' },
      { name: 'tone', type: 'enum', values: ['calm', 'angry'], description: 'tone' },
      { name: 'odd', type: 'enum', description: 'no values declared' },
    ],
    body: '{{ name }} x{{ count }}{{#if loud}}!{{/if}}',
  };

  it('returns typed values with defaults filled in', () => {
    expect(validateParams(decl, { name: 'bo', loud: 'true', tone: 'calm' })).toEqual({
      ok: true,
      values: { name: 'bo', count: 3, loud: true, tone: 'calm' },
    });
    expect(validateParams(decl, { name: 'bo', count: '7', loud: 'false' })).toEqual({
      ok: true,
      values: { name: 'bo', count: 7, loud: false },
    });
  });

  it('returns every problem at once, each with its field', () => {
    const r = validateParams(decl, { count: 'x', loud: 'yes', tone: 'sad', extra: '1', odd: 'v' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.field)).toEqual([
      'params.extra',
      'params.name',
      'params.count',
      'params.loud',
      'params.tone',
      'params.odd',
    ]);
    expect(r.problems[0]!.message).toContain('its params are: name, count, loud, tone, odd');
  });

  it('says when a template has no params at all', () => {
    const r = validateParams({ ...decl, params: [] }, { a: '1' });
    expect(!r.ok && r.problems[0]!.message).toContain('its params are: none');
  });

  it('rejects a blank number', () => {
    expect(validateParams(decl, { name: 'a', count: ' ' }).ok).toBe(false);
  });

  it('renders a declaration, or returns its param problems', () => {
    expect(renderDeclaration(decl, { name: 'bo', loud: 'true' })).toEqual({ ok: true, text: 'bo x3!' });
    expect(renderDeclaration(decl, {})).toMatchObject({ ok: false, problems: [{ field: 'params.name' }] });
  });

  it('ships a standalone example template that renders with its defaults', () => {
    expect(DEFAULT_TEMPLATES['dependency-report']).toBe(DEPENDENCY_REPORT_TEMPLATE);
    const r = renderDeclaration(DEPENDENCY_REPORT_TEMPLATE, { project: 'acme/web', includeDev: 'true' });
    expect(r.ok && r.text).toContain('Include development dependencies.');
  });
});

describe('promptForRun', () => {
  const prompt = (s: ReturnType<typeof build>) => {
    const r = promptForRun(s, currentRun(s)!);
    if (!r.ok) throw new Error(r.error.message);
    return r.text;
  };

  it('gives the initial repo run the branch and the issue reference', () => {
    const p = prompt(build([created(), scheduled(1)]));
    expect(p).toContain('branch `cohort/t1` created from `main`');
    expect(p).toContain('Closes #42');
    expect(p).toContain('Users cannot log in with SSO.');
  });

  it('leaves out the issue reference when there is none', () => {
    expect(prompt(build([created({ source: undefined }), scheduled(1)]))).not.toContain('Closes');
  });

  it('gives a standalone run its prompt only', () => {
    expect(prompt(build([created({ kind: TaskKind.STANDALONE, repoId: '' }), scheduled(1)]))).toBe(
      '# Task: Fix the login bug\n\nUsers cannot log in with SSO.',
    );
  });

  it('gives a CI resume the failing check names and output', () => {
    const s = withOpenPr({}, [checks('sha1', CheckStatus.FAILING), { ...scheduled(2, RunKind.RESUME, ResumeReason.CI_FAILURE, 'sha1') }]);
    const withContext = {
      ...s,
      runs: s.runs.map((r) =>
        r.id === 't1-r2'
          ? {
              ...r,
              context: {
                failingChecks: [
                  { name: 'unit', outputTail: 'boom' },
                  { name: 'e2e', outputTail: '' },
                ],
              } as never,
            }
          : r,
      ),
    };
    const p = prompt(withContext);
    expect(p).toContain('## Failing check: unit\n```\nboom\n```');
    expect(p).toContain('## Failing check: e2e\n(no output captured)');
    expect(p).toContain('pull request #7');
  });

  it('gives a review resume the comments as path:line and body', () => {
    const s = withOpenPr({}, [scheduled(2, RunKind.RESUME, ResumeReason.REVIEW, 'sha1')]);
    const ctx = {
      reviewBody: 'Two things.',
      reviewComments: [
        { path: 'a.ts', line: 4, body: 'off by one' },
        { path: 'b.ts', line: 0, body: 'naming' },
        { path: '', line: 0, body: 'general' },
      ],
    };
    const p = prompt({ ...s, runs: s.runs.map((r) => (r.id === 't1-r2' ? { ...r, context: ctx as never } : r)) });
    expect(p).toContain('Two things.');
    expect(p).toContain('- a.ts:4: off by one\n- b.ts: naming\n- general');
  });

  it('gives a conflict resume the files and the base', () => {
    const s = withOpenPr({}, [scheduled(2, RunKind.RESUME, ResumeReason.CONFLICT, 'sha1')]);
    const p = prompt({
      ...s,
      runs: s.runs.map((r) => (r.id === 't1-r2' ? { ...r, context: { conflictingFiles: ['x.ts'], baseSha: 'b1' } as never } : r)),
    });
    expect(p).toContain('conflicts with `main` (now at b1)');
    expect(p).toContain('- x.ts');
  });

  it('gives a user-message resume the message', () => {
    const s = withOpenPr({}, [
      e('TaskResumeRequested', { message: 'use v2' }),
      scheduled(2, RunKind.RESUME, ResumeReason.USER_MESSAGE, 'sha1'),
    ]);
    const p = prompt({ ...s, runs: s.runs.map((r) => (r.id === 't1-r2' ? { ...r, context: { message: 'use v2' } as never } : r)) });
    expect(p).toBe('A message from the user about this task:\n\nuse v2');
  });

  it('renders the resume prompts even without a recorded context', () => {
    for (const reason of [ResumeReason.CI_FAILURE, ResumeReason.REVIEW, ResumeReason.CONFLICT]) {
      const s = withOpenPr({}, [scheduled(2, RunKind.RESUME, reason, 'sha1')]);
      expect(promptForRun(s, currentRun(s)!).ok).toBe(true);
    }
  });

  it('gives the review agent the PR, head and base', () => {
    const p = prompt(withOpenPr({}, [scheduled(2, RunKind.REVIEW, 0, 'sha1')]));
    expect(p).toContain('Review pull request #7 ("Fix the login bug") in acme/web, head sha1, against `main`.');
  });

  it('uses overridden prompt texts', () => {
    const s = build([created(), scheduled(1)]);
    expect(promptForRun(s, currentRun(s)!, { ...DEFAULT_PROMPT_TEXTS, initialRepo: 'Do {{ title }}' })).toEqual({
      ok: true,
      text: 'Do Fix the login bug',
    });
  });
});
