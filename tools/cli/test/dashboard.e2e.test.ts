import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Browser, screenshot } from './support/browser.js';
import { buildWeb, webBuildState } from '../src/stack/web-build.js';
import { greetingRepo } from './support/scenario-repos.js';
import { repoRoot, System } from './support/system.js';

// CI fails on the first attempt; the resume run fixes the greeting.
const PLAYBOOK = `initial:
  - write: { path: greeting.txt, content: "Hello, there\\n" }
resume:ci_failure:
  - patch: { path: greeting.txt, find: "Hello, there", replace: "Hello, Cohort" }
`;

const SECOND = 1_000;

describe('the dashboard in a browser, against the whole system', () => {
  let system: System;
  let browser: Browser;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    // The Stack serves the dashboard only from a build that exists when it starts.
    if (webBuildState(repoRoot) !== 'fresh') await buildWeb(repoRoot, join(tmpdir(), 'cohort-e2e-web-build.log'));
    system = await System.start('dashboard', { INTAKE_MAX_AUTO_RESUMES: '2' });
    await system.waitForGateway();
    await system.waitForDashboard();
    origin = await system.createRepository('webdemo', greetingRepo(PLAYBOOK));
    browser = await Browser.launch();
    page = await browser.page();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  // A failed step leaves a screenshot and what the page, the gateway and the services said.
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !page) return;
    const name = `failure-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`;
    await screenshot(page, repoRoot, name).catch(() => undefined);
    const text = await page
      .locator('main')
      .innerText()
      .catch(() => '');
    console.error(`page ${page.url()}:\n${text.slice(0, 2000)}\nservices:\n${system.output.slice(-60).join('\n')}`);
  });

  const failWith = (error: unknown): never => {
    throw new Error(`${(error as Error).message}\nservices:\n${system.output.slice(-60).join('\n')}`, {
      cause: error,
    });
  };

  it('signs in from the link cohort up prints, and takes the token out of the address bar', async () => {
    await page.goto(`${system.dashboardUrl}/#token=${system.adminToken}`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => (globalThis as unknown as { localStorage: Storage }).localStorage.getItem('cohort.token'))).toBe(
      system.adminToken,
    );
    await page.getByTestId('count-completed').getByText(/^\d+$/).waitFor();
  });

  it('registers a repository from the Repos page', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Repos' }).click();
    await page.getByRole('button', { name: 'Register a repository' }).click();
    const form = page.getByRole('form', { name: 'Register a repository' });
    await form.getByLabel('Name').fill('webdemo');
    await form.getByLabel('URL or path').fill(origin);
    await form.getByLabel('CI command').fill('sh ci.sh');
    await form.getByLabel('Default agent').fill('scripted');
    await form.getByLabel('Merge automatically once checks pass').check();
    await form.getByLabel('Require an approving review').check();
    // The services may still be starting: the form shows the gateway's UNAVAILABLE, and a second try goes through.
    const deadline = Date.now() + 90 * SECOND;
    for (;;) {
      await form.getByRole('button', { name: 'Register repository' }).click();
      const outcome = await Promise.race([
        page
          .getByRole('status')
          .filter({ hasText: 'Registered webdemo' })
          .waitFor({ timeout: 15 * SECOND })
          .then(() => 'ok'),
        form
          .getByTestId('form-error')
          .waitFor({ timeout: 15 * SECOND })
          .then(() => 'error'),
      ]).catch(() => 'timeout');
      if (outcome === 'ok') break;
      if (Date.now() > deadline) failWith(new Error(`registering the repository kept failing: ${await form.textContent()}`));
      await page.waitForTimeout(2 * SECOND);
    }
    await page.getByRole('heading', { name: 'webdemo', level: 2 }).waitFor();
  });

  let taskId: string;

  it('creates a task, shows its log lines as they arrive, the CI failure and the resume, then merges it after approval', async () => {
    await page.evaluate(() => ((globalThis as { loadedOnce?: boolean }).loadedOnce = true));
    await page.getByRole('navigation').getByRole('link', { name: 'New task' }).click();
    await page.getByLabel('Repository', { exact: true }).selectOption({ label: 'webdemo' });
    await page.getByLabel('Title', { exact: true }).fill('Fix the greeting');
    await page.getByLabel('Prompt', { exact: true }).fill('Make the greeting name Cohort');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL((url) => /^\/tasks\/[^/]+$/.test(url.pathname) && url.pathname !== '/tasks/new', { timeout: 30 * SECOND });
    taskId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('heading', { name: 'Fix the greeting' }).waitFor();

    try {
      // The initial run's log streams in.
      const log = page.getByRole('log');
      await log.locator('[data-seq="1"]').waitFor({ timeout: 90 * SECOND });

      // CI fails on the first head, so the agent is resumed with the failure.
      const resumeTab = page.getByRole('tab', { name: /Resume 1 · CI failure/ });
      await resumeTab.waitFor({ timeout: 120 * SECOND });
      await resumeTab.click();
      const resumeLog = page.getByRole('log', { name: /Resume 1/ });
      // The resume run started after this page opened, so each of its lines came over the live subscription.
      await resumeLog
        .getByText(/greeting\.txt says: Hello, there/)
        .first()
        .waitFor({ timeout: 90 * SECOND });
      expect(Number((await page.getByTestId('log-count').textContent())!.replace(/\D/g, ''))).toBeGreaterThan(0);

      // Checks pass on the resumed head; approve in the UI.
      await page
        .getByTestId('checks-status')
        .filter({ hasText: 'passing' })
        .waitFor({ timeout: 120 * SECOND });
      await screenshot(page, repoRoot, 'task-detail');
      await page.getByRole('form', { name: 'Review the pull request' }).getByRole('button', { name: 'Approve' }).click();

      await page
        .getByTestId('pr-status')
        .filter({ hasText: 'merged' })
        .waitFor({ timeout: 120 * SECOND });
      await page
        .getByTestId('task-state')
        .filter({ hasText: 'completed' })
        .waitFor({ timeout: 60 * SECOND });
    } catch (error) {
      await screenshot(page, repoRoot, 'task-detail-failure').catch(() => undefined);
      failWith(error);
    }

    // Everything above arrived live: the page was never reloaded.
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    const done = page.locator('.pipeline [data-stage="done"]');
    expect(await done.getAttribute('data-status')).not.toBe('pending');
    expect((await system.commitsOnMain(origin))[0]).toBe('Fix the greeting');
    const task = await system.task(taskId);
    expect(task?.status).toBe('completed');
  });

  it('lists the task, filtered by state through the URL', async () => {
    await page.goto(`${system.dashboardUrl}/tasks?state=completed`);
    await page.locator(`tr[data-task-id="${taskId}"]`).waitFor();
    expect(await page.getByLabel('completed', { exact: true }).isChecked()).toBe(true);
    await page.getByTestId('task-search').fill('no task is called this');
    await page.getByText('No tasks match these filters.').waitFor();
    expect(page.url()).toContain('q=no+task+is+called+this');
  });

  it('saves screenshots of the main pages', async () => {
    const pages: Array<[string, string, () => Promise<unknown>]> = [
      ['overview', '/', () => page.getByTestId('activity-feed').getByText('Fix the greeting').first().waitFor()],
      ['tasks', '/tasks', () => page.locator(`tr[data-task-id="${taskId}"]`).waitFor()],
      [
        'task-detail',
        `/tasks/${taskId}`,
        // A finished run's log is read back from the start when the page opens.
        async () => {
          await page.getByTestId('task-state').filter({ hasText: 'completed' }).waitFor();
          await page.getByRole('log').locator('[data-seq="1"]').waitFor();
        },
      ],
      ['repos', '/repos', () => page.getByRole('heading', { name: 'webdemo' }).waitFor()],
      ['costs', '/costs', () => page.getByRole('heading', { name: 'Costs' }).waitFor()],
      ['settings', '/settings', () => page.getByRole('heading', { name: 'API tokens' }).waitFor()],
    ];
    for (const [name, path, ready] of pages) {
      await page.goto(`${system.dashboardUrl}${path}`);
      await ready();
      expect(await screenshot(page, repoRoot, name)).toContain(`${name}.png`);
    }
    // Settings lists the admin token the gateway registered, by name only.
    expect(await page.getByRole('cell', { name: 'local-admin', exact: true }).count()).toBeGreaterThan(0);
    expect(await page.content()).not.toContain(system.adminToken);
  });
});
