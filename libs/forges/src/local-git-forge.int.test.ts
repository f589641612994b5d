import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrigin, gitIn, removeDir, tempDir } from '@cohort/testing';
import type { PullRequest } from './forge.js';
import { LocalGitForge, type LocalGitForgeOptions } from './local-git-forge.js';

describe('LocalGitForge', () => {
  let root: string;
  let repo: Awaited<ReturnType<typeof createOrigin>>;

  const forgeWith = (options: Partial<LocalGitForgeOptions> = {}) => new LocalGitForge({ originPath: repo.origin, ...options });
  const opened = async (forge: LocalGitForge, branch = 'cohort/t1'): Promise<PullRequest> => {
    const result = await forge.openPullRequest({ branch, base: 'main', title: `Work on ${branch}`, body: 'Body', draft: false });
    if (!result.ok) throw new Error(result.error.message);
    return result.value.pullRequest;
  };

  beforeEach(async () => {
    root = await tempDir('forge');
    repo = await createOrigin(root, { 'app.txt': 'line 1\nline 2\nline 3\n', 'other.txt': 'other\n' });
  });
  afterEach(async () => removeDir(root));

  describe('opening pull requests', () => {
    it('returns the open pull request for a branch instead of opening a second one', async () => {
      const head = await repo.commit('cohort/t1', { 'app.txt': 'line 1\nchanged\nline 3\n' });
      const forge = forgeWith();
      const first = await forge.openPullRequest({ branch: 'cohort/t1', base: 'main', title: 'T', body: 'B' });
      const second = await forge.openPullRequest({ branch: 'cohort/t1', base: 'main', title: 'T again', body: 'B' });
      expect(first.ok && first.value).toMatchObject({
        created: true,
        pullRequest: { number: 1, headSha: head, state: 'open', title: 'T' },
      });
      expect(second.ok && second.value).toMatchObject({ created: false, pullRequest: { number: 1, title: 'T' } });
      expect((await forge.listOpen()).map((pr) => pr.number)).toEqual([1]);
    });

    it('gives concurrent opens for different branches distinct numbers and for one branch one pull request', async () => {
      for (const b of ['a', 'b', 'c']) await repo.commit(`cohort/${b}`, { [`${b}.txt`]: b });
      const forge = forgeWith();
      const results = await Promise.all(
        ['a', 'b', 'c', 'a', 'b', 'c'].map((b) => forge.openPullRequest({ branch: `cohort/${b}`, base: 'main', title: b, body: '' })),
      );
      const numbers = results.map((r) => (r.ok ? r.value.pullRequest.number : 0));
      expect(new Set(numbers)).toEqual(new Set([1, 2, 3]));
      expect(results.filter((r) => r.ok && r.value.created)).toHaveLength(3);
    });

    it('allocates distinct numbers to two forge instances sharing a store', async () => {
      for (const b of ['a', 'b', 'c', 'd']) await repo.commit(`cohort/${b}`, { [`${b}.txt`]: b });
      const [x, y] = [forgeWith(), forgeWith()];
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((b, i) => opened(i % 2 ? x : y, `cohort/${b}`)));
      expect(results.map((pr) => pr.number).sort()).toEqual([1, 2, 3, 4]);
    });

    it('opens a new pull request for a branch whose earlier one was closed', async () => {
      await repo.commit('cohort/t1', { 'x.txt': 'x' });
      const forge = forgeWith();
      const first = await opened(forge);
      expect((await forge.close(first.number)).ok).toBe(true);
      const second = await opened(forge);
      expect(second.number).toBe(2);
    });

    it('rejects a missing branch, an empty title and a bad branch name with typed errors', async () => {
      const forge = forgeWith();
      const missing = await forge.openPullRequest({ branch: 'cohort/none', base: 'main', title: 'T', body: '' });
      expect(!missing.ok && missing.error.category).toBe('branch_not_found');
      const noTitle = await forge.openPullRequest({ branch: 'cohort/x', base: 'main', title: ' ', body: '' });
      expect(!noTitle.ok && noTitle.error.category).toBe('invalid_request');
      const badName = await forge.openPullRequest({ branch: 'a..b', base: 'main', title: 'T', body: '' });
      expect(!badName.ok && badName.error.message).toContain('not a valid branch name');
      expect((await forge.getPullRequest(99)).ok).toBe(false);
      await gitIn(repo.work, 'push', '--quiet', 'origin', 'main:refs/heads/cohort/same-as-main');
      const nothingNew = await forge.openPullRequest({ branch: 'cohort/same-as-main', base: 'main', title: 'T', body: '' });
      expect(!nothingNew.ok && nothingNew.error.message).toContain('no commits');
    });
  });

  describe('checks', () => {
    it('reports passing with the output tail when the CI command succeeds on the head', async () => {
      const head = await repo.commit('cohort/t1', { 'app.txt': 'fixed\n' });
      const forge = forgeWith({ ciCommand: 'echo "testing $COHORT_PR_NUMBER"; cat app.txt; git status --porcelain | wc -l' });
      const pr = await opened(forge);
      const report = await forge.runChecks(pr.number);
      expect(report.ok && report.value).toEqual({
        status: 'passing',
        headSha: head,
        checks: [expect.objectContaining({ name: 'ci', status: 'passing', exitCode: 0, outputTail: 'testing 1\nfixed\n0' })],
      });
      const after = await forge.getPullRequest(pr.number);
      expect(after.ok && after.value.lastChecks?.status).toBe('passing');
    });

    it('reports failing with the end of the output when the CI command fails', async () => {
      await repo.commit('cohort/t1', { 'app.txt': 'broken\n' });
      const forge = forgeWith({
        ciCommand: 'for i in $(seq 1 100); do echo "noise $i"; done; echo "FAIL app.test: expected fixed" >&2; exit 2',
        outputTail: { maxLines: 3 },
      });
      const report = await forge.runChecks((await opened(forge)).number);
      expect(report.ok && report.value.status).toBe('failing');
      expect(report.ok && report.value.checks[0]).toMatchObject({
        status: 'failing',
        exitCode: 2,
        outputTail: 'noise 99\nnoise 100\nFAIL app.test: expected fixed',
      });
    });

    it('fails a check that runs past the timeout and says so', async () => {
      await repo.commit('cohort/t1', { 'x.txt': 'x' });
      const forge = forgeWith({ ciCommand: 'echo started; sleep 30', ciTimeoutMs: 300 });
      const started = Date.now();
      const report = await forge.runChecks((await opened(forge)).number);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(report.ok && report.value.checks[0]?.outputTail).toMatch(/^started\n\[cohort\] check timed out after 300 ms/);
      expect(report.ok && report.value.status).toBe('failing');
    });

    it('passes with no checks when the repo has no CI command', async () => {
      await repo.commit('cohort/t1', { 'x.txt': 'x' });
      const forge = forgeWith();
      const report = await forge.runChecks((await opened(forge)).number);
      expect(report.ok && report.value).toMatchObject({ status: 'passing', checks: [] });
    });
  });

  describe('reviews', () => {
    it('stores reviews with their comments and lists them in order', async () => {
      const head = await repo.commit('cohort/t1', { 'app.txt': 'changed\n' });
      const forge = forgeWith();
      const pr = await opened(forge);
      const changes = await forge.submitReview(pr.number, {
        verdict: 'request_changes',
        body: 'Almost',
        reviewer: 'alice',
        comments: [{ path: 'app.txt', line: 1, body: 'Rename this' }],
      });
      expect(changes.ok).toBe(true);
      await forge.submitReview(pr.number, { verdict: 'approve', body: 'LGTM', reviewer: 'bob', comments: [] });

      const reviews = await forge.listReviews(pr.number);
      expect(reviews.ok && reviews.value).toEqual([
        expect.objectContaining({
          verdict: 'request_changes',
          reviewer: 'alice',
          headSha: head,
          comments: [{ path: 'app.txt', line: 1, body: 'Rename this' }],
        }),
        expect.objectContaining({ verdict: 'approve', reviewer: 'bob', comments: [] }),
      ]);
    });

    it('rejects comments on line 0 or outside the repository', async () => {
      await repo.commit('cohort/t1', { 'x.txt': 'x' });
      const forge = forgeWith();
      const pr = await opened(forge);
      for (const comment of [
        { path: 'x.txt', line: 0, body: 'b' },
        { path: '../etc/passwd', line: 1, body: 'b' },
      ]) {
        const result = await forge.submitReview(pr.number, { verdict: 'comment', body: '', reviewer: 'r', comments: [comment] });
        expect(!result.ok && result.error.category).toBe('invalid_request');
      }
      const reviews = await forge.listReviews(pr.number);
      expect(reviews.ok && reviews.value).toEqual([]);
    });
  });

  describe('mergeability', () => {
    it('detects a conflict when the base moves and changes the same lines', async () => {
      await repo.commit('cohort/t1', { 'app.txt': 'line 1\nfrom the pull request\nline 3\n' });
      const forge = forgeWith();
      const pr = await opened(forge);
      const clean = await forge.mergeability(pr.number);
      expect(clean.ok && clean.value).toMatchObject({ mergeable: true, conflictingFiles: [] });

      const baseSha = await repo.commit('main', { 'app.txt': 'line 1\nfrom main\nline 3\n' });
      const conflicted = await forge.mergeability(pr.number);
      expect(conflicted.ok && conflicted.value).toMatchObject({ mergeable: false, conflictingFiles: ['app.txt'], baseSha });
    });

    it('stays mergeable when the base moves in other files', async () => {
      await repo.commit('cohort/t1', { 'app.txt': 'line 1\nfrom the pull request\nline 3\n' });
      const forge = forgeWith();
      const pr = await opened(forge);
      await repo.commit('main', { 'other.txt': 'changed on main\n', 'new.txt': 'new\n' });
      const result = await forge.mergeability(pr.number);
      expect(result.ok && result.value).toMatchObject({ mergeable: true, conflictingFiles: [] });
    });
  });

  describe('merging', () => {
    it('squash-merges as exactly one new commit on the base carrying the pull request changes', async () => {
      await repo.commit('cohort/t1', { 'app.txt': 'line 1\nchanged\nline 3\n' }, 'first');
      const head = await repo.commit('cohort/t1', { 'added.txt': 'added\n' }, 'second');
      await repo.commit('main', { 'other.txt': 'moved on main\n' });
      const baseBefore = await gitIn(repo.origin, 'rev-parse', 'main');
      const forge = forgeWith();
      const pr = await opened(forge);

      const result = await forge.merge(pr.number, { method: 'squash', expectedHeadSha: head });
      if (!result.ok) throw new Error(result.error.message);
      expect(result.value.alreadyMerged).toBe(false);
      const mainSha = await gitIn(repo.origin, 'rev-parse', 'main');
      expect(mainSha).toBe(result.value.mergeCommitSha);
      expect(await gitIn(repo.origin, 'rev-list', '--count', `${baseBefore}..main`)).toBe('1');
      expect(await gitIn(repo.origin, 'rev-parse', 'main^')).toBe(baseBefore);
      expect(await gitIn(repo.origin, 'log', '-1', '--format=%s|%an', 'main')).toBe('Work on cohort/t1|Test Author');
      expect(await gitIn(repo.origin, 'show', 'main:app.txt')).toBe('line 1\nchanged\nline 3');
      expect(await gitIn(repo.origin, 'show', 'main:added.txt')).toBe('added');
      expect(await gitIn(repo.origin, 'show', 'main:other.txt')).toBe('moved on main');

      const stored = await forge.getPullRequest(pr.number);
      expect(stored.ok && stored.value).toMatchObject({
        state: 'merged',
        merge: { commitSha: mainSha, baseShaBefore: baseBefore, headSha: head },
      });
      expect(await forge.listOpen()).toEqual([]);
    });

    it('reports the existing merge commit on a second merge call instead of merging again', async () => {
      const head = await repo.commit('cohort/t1', { 'app.txt': 'changed\n' });
      const forge = forgeWith();
      const pr = await opened(forge);
      const [a, b] = await Promise.all([
        forge.merge(pr.number, { method: 'squash', expectedHeadSha: head }),
        forge.merge(pr.number, { method: 'squash', expectedHeadSha: head }),
      ]);
      const third = await forgeWith().merge(pr.number, { method: 'squash', expectedHeadSha: head });
      const shas = [a, b, third].map((r) => (r.ok ? r.value.mergeCommitSha : 'failed'));
      expect(new Set(shas).size).toBe(1);
      expect([a, b, third].map((r) => r.ok && r.value.alreadyMerged)).toEqual([false, true, true]);
      expect(await gitIn(repo.origin, 'rev-list', '--count', 'main')).toBe('2');
    });

    it('refuses to merge when the head is not the expected one', async () => {
      const seen = await repo.commit('cohort/t1', { 'app.txt': 'v1\n' });
      const forge = forgeWith();
      const pr = await opened(forge);
      const newer = await repo.commit('cohort/t1', { 'app.txt': 'v2\n' });
      const before = await gitIn(repo.origin, 'rev-parse', 'main');
      const result = await forge.merge(pr.number, { method: 'squash', expectedHeadSha: seen });
      expect(!result.ok && result.error).toMatchObject({ category: 'head_changed', expectedHeadSha: seen, actualHeadSha: newer });
      expect(await gitIn(repo.origin, 'rev-parse', 'main')).toBe(before);
      const still = await forge.getPullRequest(pr.number);
      expect(still.ok && still.value.state).toBe('open');
    });

    it('refuses to merge a conflicting pull request and names the files', async () => {
      const head = await repo.commit('cohort/t1', { 'app.txt': 'line 1\nmine\nline 3\n' });
      const forge = forgeWith();
      const pr = await opened(forge);
      const before = await repo.commit('main', { 'app.txt': 'line 1\ntheirs\nline 3\n' });
      const result = await forge.merge(pr.number, { method: 'squash', expectedHeadSha: head });
      expect(!result.ok && result.error).toMatchObject({ category: 'conflict', conflictingFiles: ['app.txt'] });
      expect(await gitIn(repo.origin, 'rev-parse', 'main')).toBe(before);
    });

    it('finishes an interrupted merge instead of merging a second time', async () => {
      const head = await repo.commit('cohort/t1', { 'app.txt': 'changed\n' });
      const forge = forgeWith();
      const pr = await opened(forge);
      // Simulate a crash after the base ref moved but before the result was recorded.
      const done = await forge.merge(pr.number, { method: 'squash', expectedHeadSha: head });
      if (!done.ok) throw new Error(done.error.message);
      const file = join(repo.origin, 'cohort-forge', 'pulls', '000001.json');
      const record = JSON.parse(await readFile(file, 'utf8'));
      const { merge, ...rest } = record;
      await writeFile(
        file,
        JSON.stringify({
          ...rest,
          state: 'open',
          pendingMerge: { commitSha: merge.commitSha, baseShaBefore: merge.baseShaBefore, headSha: merge.headSha },
        }),
      );

      const again = await forge.merge(pr.number, { method: 'squash', expectedHeadSha: head });
      expect(again.ok && again.value).toMatchObject({ mergeCommitSha: done.value.mergeCommitSha, alreadyMerged: true });
      expect(await gitIn(repo.origin, 'rev-list', '--count', 'main')).toBe('2');
    });

    it('fails cleanly, losing no commit, when the base moves between computing and landing the merge', async () => {
      const head = await repo.commit('cohort/t1', { 'app.txt': 'changed\n' });
      let moveBase = false;
      // The clock is read between computing the squash commit and moving the base ref:
      // pushing to main at that moment reproduces the race with a concurrent push.
      const forge = forgeWith({
        clock: () => {
          if (moveBase) {
            moveBase = false;
            execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@t', 'commit', '--quiet', '--allow-empty', '-m', 'concurrent'], {
              cwd: repo.work,
            });
            execFileSync('git', ['push', '--quiet', 'origin', 'HEAD:main'], { cwd: repo.work });
          }
          return new Date();
        },
      });
      const pr = await opened(forge);
      await gitIn(repo.work, 'checkout', '--quiet', 'main');
      moveBase = true;
      const result = await forge.merge(pr.number, { method: 'squash', expectedHeadSha: head });
      expect(!result.ok && result.error.category).toBe('base_moved');
      expect(await gitIn(repo.origin, 'log', '-1', '--format=%s', 'main')).toBe('concurrent');

      const retried = await forge.merge(pr.number, { method: 'squash', expectedHeadSha: head });
      expect(retried.ok && retried.value.alreadyMerged).toBe(false);
      expect(await gitIn(repo.origin, 'log', '--format=%s', 'main')).toBe('Work on cohort/t1\nconcurrent\ninitial');
    });

    it('does not merge or close a closed pull request', async () => {
      const head = await repo.commit('cohort/t1', { 'x.txt': 'x' });
      const forge = forgeWith();
      const pr = await opened(forge);
      await forge.close(pr.number);
      const merge = await forge.merge(pr.number, { method: 'squash', expectedHeadSha: head });
      expect(!merge.ok && merge.error.category).toBe('not_open');
      const closedAgain = await forge.close(pr.number);
      expect(closedAgain.ok && closedAgain.value.state).toBe('closed');
    });
  });
});
