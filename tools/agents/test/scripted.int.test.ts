import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScripted, tempGitRepo, texts } from './scripted-harness.js';

function writePlaybook(dir: string, source: string, path = '.cohort/playbook.yaml'): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), source);
}

describe('scripted agent', () => {
  it('echoes the prompt it received, line by line, before doing anything else', async () => {
    using repo = tempGitRepo();
    writePlaybook(repo.dir, 'initial:\n  - print: working\n');
    const run = await runScripted(repo.dir, { prompt: 'Fix the failing check.\n\nCheck "test" failed:\nnot ok 1 - sum\n' });
    expect(run.exitCode).toBe(0);
    expect(texts(run).slice(0, 5)).toEqual([
      '[prompt] Fix the failing check.',
      '[prompt] ',
      '[prompt] Check "test" failed:',
      '[prompt] not ok 1 - sum',
      'working',
    ]);
  });

  it('writes, patches and appends files in its working directory', async () => {
    using repo = tempGitRepo();
    writePlaybook(
      repo.dir,
      `initial:
  - write: { path: src/sum.js, content: "export const sum = (a, b) => a - b;\\n" }
  - patch: { path: src/sum.js, find: "a - b", replace: "a + b" }
  - append: { path: README.md, content: "patched by the agent\\n" }
`,
    );
    const run = await runScripted(repo.dir);
    expect(run.exitCode).toBe(0);
    expect(readFileSync(join(repo.dir, 'src/sum.js'), 'utf8')).toBe('export const sum = (a, b) => a + b;\n');
    expect(readFileSync(join(repo.dir, 'README.md'), 'utf8')).toBe('# demo\npatched by the agent\n');
    expect(texts(run, 'tool')).toEqual(['write src/sum.js', 'patch src/sum.js', 'append README.md']);
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: repo.dir, encoding: 'utf8' });
    expect(status).toContain(' M README.md');
    expect(status).toContain('?? src/');
  });

  it('runs a command with sh in the working directory, streams its output and goes on when it fails', async () => {
    using repo = tempGitRepo();
    writePlaybook(repo.dir, 'initial:\n  - run: pwd; echo to-stderr >&2; exit 3\n  - print: after the command\n');
    const run = await runScripted(repo.dir);
    expect(run.exitCode).toBe(0);
    expect(run.entries).toEqual(
      expect.arrayContaining([
        { level: 'info', kind: 'tool', text: '$ pwd; echo to-stderr >&2; exit 3' },
        { level: 'info', kind: 'tool', text: execFileSync('pwd', { cwd: repo.dir, encoding: 'utf8' }).trim() },
        { level: 'warn', kind: 'tool', text: 'to-stderr' },
        { level: 'info', kind: 'tool', text: 'exit 3' },
        { level: 'info', kind: 'text', text: 'after the command' },
      ]),
    );
  });

  it('prints lines with their delays, as they happen rather than at exit', async () => {
    using repo = tempGitRepo();
    writePlaybook(repo.dir, 'initial:\n  - print: one\n  - print: two\n    delay_ms: 400\n  - sleep_ms: 300\n  - print: three\n');
    const run = await runScripted(repo.dir);
    const at = (text: string) => run.arrivals[run.stdoutLines.findIndex((line) => line.includes(`"${text}"`))] ?? Number.NaN;
    expect(at('two') - at('one')).toBeGreaterThanOrEqual(350);
    expect(at('three') - at('two')).toBeGreaterThanOrEqual(250);
  });

  it('reports token usage that the adapter sums, with cost and model', async () => {
    using repo = tempGitRepo();
    writePlaybook(
      repo.dir,
      `initial:
  - usage: { input_tokens: 1000, cached_input_tokens: 400, output_tokens: 200, cost_usd: 0.01, model: scripted-1 }
  - usage: { input_tokens: 500, output_tokens: 50, cost_usd: 0.005 }
`,
    );
    const run = await runScripted(repo.dir);
    expect(run.usage).toEqual({ inputTokens: 1500, cachedInputTokens: 400, outputTokens: 250, costUsd: 0.015, model: 'scripted-1' });
  });

  it('gives a review run its verdict with comments at path and line', async () => {
    using repo = tempGitRepo();
    writePlaybook(
      repo.dir,
      `review:
  - print: reading the diff
  - review:
      verdict: request_changes
      body: Almost there.
      comments:
        - { path: src/sum.js, line: 1, body: Handle non-numbers. }
`,
    );
    const run = await runScripted(repo.dir, { runKind: 'review' });
    expect(run.exitCode).toBe(0);
    expect(run.review).toEqual({
      verdict: 'request_changes',
      body: 'Almost there.',
      comments: [{ path: 'src/sum.js', line: 1, body: 'Handle non-numbers.' }],
    });
  });

  it('exits with the code of an exit step and runs nothing after it', async () => {
    using repo = tempGitRepo();
    writePlaybook(repo.dir, 'initial:\n  - print: giving up\n  - exit: 7\n  - write: { path: never.txt, content: x }\n');
    const run = await runScripted(repo.dir);
    expect(run.exitCode).toBe(7);
    expect(existsSync(join(repo.dir, 'never.txt'))).toBe(false);
    expect(run.entries.at(-1)).toEqual({ level: 'error', kind: 'result', text: 'initial attempt 1 finished' });
    expect(run.sessionId).toBe('scripted-initial-1');
  });

  it('plays initial#2 on the second attempt and the matching resume section', async () => {
    using repo = tempGitRepo();
    writePlaybook(
      repo.dir,
      'initial:\n  - print: first try\ninitial#2:\n  - print: second try\nresume:ci_failure:\n  - print: fixing CI\ndefault:\n  - print: fallback\n',
    );
    const second = await runScripted(repo.dir, { attempt: 2 });
    const resume = await runScripted(repo.dir, { runKind: 'resume', resumeReason: 'ci_failure', attempt: 3 });
    const review = await runScripted(repo.dir, { runKind: 'review' });
    expect(texts(second, 'text')).toContain('second try');
    expect(texts(second, 'text')).not.toContain('first try');
    expect(texts(resume, 'text')).toContain('fixing CI');
    expect(texts(review, 'text')).toContain('fallback');
  });

  it('reads the playbook given with --playbook and the prompt given with --prompt-file', async () => {
    using repo = tempGitRepo();
    writePlaybook(repo.dir, 'initial:\n  - print: from elsewhere\n', 'plays/p.yaml');
    writeFileSync(join(repo.dir, 'prompt.txt'), 'prompt from a file\n');
    const run = await runScripted(repo.dir, { playbook: 'plays/p.yaml', extraArgs: ['--prompt-file', 'prompt.txt'] });
    expect(run.exitCode).toBe(0);
    expect(texts(run, 'text')).toEqual(['[prompt] prompt from a file', 'from elsewhere']);
  });

  it('takes a failing first attempt and a resume that fixes CI, as in the README', async () => {
    using repo = tempGitRepo();
    const ci = () => {
      try {
        execFileSync('sh', ['test.sh'], { cwd: repo.dir, stdio: 'pipe' });
        return 'passing';
      } catch {
        return 'failing';
      }
    };
    writePlaybook(
      repo.dir,
      `initial:
  - write:
      path: sum.sh
      content: "sum() { echo $(($1 - $2)); }\\n"
  - write:
      path: test.sh
      content: ". ./sum.sh; [ \\"$(sum 1 2)\\" = 3 ] || { echo 'not ok - sum 1 2'; exit 1; }\\n"
  - run: sh test.sh
resume:ci_failure:
  - patch: { path: sum.sh, find: "$1 - $2", replace: "$1 + $2" }
  - run: sh test.sh && echo ok
`,
    );
    const first = await runScripted(repo.dir);
    expect(texts(first, 'tool')).toContain('not ok - sum 1 2');
    expect(ci()).toBe('failing');
    const resume = await runScripted(repo.dir, {
      runKind: 'resume',
      resumeReason: 'ci_failure',
      attempt: 2,
      prompt: 'CI failed: not ok - sum 1 2',
    });
    expect(texts(resume)[0]).toBe('[prompt] CI failed: not ok - sum 1 2');
    expect(texts(resume, 'tool')).toContain('ok');
    expect(ci()).toBe('passing');
  });
});

describe('scripted agent with a broken playbook', () => {
  it('names the step index and field of a bad step and exits 2 without running any step', async () => {
    using repo = tempGitRepo();
    writePlaybook(repo.dir, 'initial:\n  - write: { path: ok.txt, content: x }\n  - patch: { path: ok.txt, find: 3 }\n  - explode: now\n');
    const run = await runScripted(repo.dir);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('initial[1].patch.find: expected a string, got number 3');
    expect(run.stderr).toContain('initial[1].patch.replace: expected a string, got nothing');
    expect(run.stderr).toContain('initial[2]: a step has exactly one of');
    expect(texts(run, 'error')).toHaveLength(3);
    expect(existsSync(join(repo.dir, 'ok.txt'))).toBe(false);
  });

  it('says where it looked when there is no playbook', async () => {
    using repo = tempGitRepo();
    const run = await runScripted(repo.dir);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`playbook not found: ${join(repo.dir, '.cohort/playbook.yaml')}`);
  });

  it('lists the sections it has when none matches the run kind', async () => {
    using repo = tempGitRepo();
    writePlaybook(repo.dir, 'initial: []\nresume:review: []\n');
    const run = await runScripted(repo.dir, { runKind: 'review' });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('no steps for "review" and no "default"; the playbook defines: initial, resume:review');
  });

  it('stops at a patch whose text is not in the file, naming the step', async () => {
    using repo = tempGitRepo();
    writePlaybook(repo.dir, 'initial:\n  - patch: { path: README.md, find: nowhere, replace: x }\n  - print: not reached\n');
    const run = await runScripted(repo.dir);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('initial[0].patch.find: "nowhere" not found in README.md');
    expect(texts(run, 'text')).not.toContain('not reached');
  });

  it('rejects an unknown argument with its usage', async () => {
    using repo = tempGitRepo();
    writePlaybook(repo.dir, 'initial: []\n');
    const run = await runScripted(repo.dir, { extraArgs: ['--turbo'] });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('unknown argument "--turbo"');
    expect(run.stderr).toContain('usage: scripted --run-kind <kind>');
  });
});
