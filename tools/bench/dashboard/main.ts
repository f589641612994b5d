/**
 * Dashboard benchmark: the production build of web/ in headless Chromium,
 * against a stub gateway built from gateway/src/schema/schema.graphql that
 * answers from synthetic data in memory (10,000 tasks; one run with 100,000 log
 * lines, served as the gateway serves them: `Task.logs` pages over HTTP and the
 * graphql-ws `taskLogs` subscription from a seq). The stub keeps Postgres and
 * NATS out of the numbers: what is measured is the dashboard.
 *
 *   tasks_first_render_ms  navigation to /tasks → first task row in the DOM (full page load)
 *   log_first_line_ms      navigation to the task page → first log line in the DOM
 *   log_all_lines_ms       navigation → all 100,000 lines received and counted
 *   scroll p50/p95 ms      requestAnimationFrame intervals while scrolling the log
 *                          (steady: 400 px per frame; jumps: a random position each frame)
 *   dom_rows               log rows in the DOM after scrolling (virtualization bound)
 *
 * `--quick` uses 20,000 log lines. Prints a JSON object as the last line.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Browser } from '../../cli/test/support/browser.js';
import { freePort } from '../../cli/src/stack/free-port.js';
import { buildWeb, webBuildState } from '../../cli/src/stack/web-build.js';
import { startStubGateway } from './stub-gateway.js';

const quick = process.argv.includes('--quick');
const TASKS = 10_000;
const LOG_LINES = quick ? 20_000 : 100_000;
const STEADY_FRAMES = 300;
const JUMP_FRAMES = 120;
const repoRoot = resolve(import.meta.dirname, '../../..');
const TASK_ID = 'bench-log-task';
const RUN_ID = 'bench-log-run';

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (n: number) => Math.round(n * 100) / 100;
const summarize = (deltas: number[]) => ({
  frames: deltas.length,
  p50_frame_ms: round(percentile(deltas, 50)),
  p95_frame_ms: round(percentile(deltas, 95)),
  max_frame_ms: round(Math.max(...deltas)),
  frames_over_50ms: deltas.filter((d) => d > 50).length,
});

console.log(`building the dashboard if needed…`);
if (webBuildState(repoRoot) !== 'fresh') await buildWeb(repoRoot, join(tmpdir(), 'cohort-bench-web-build.log'));
const stub = await startStubGateway({ repoRoot, tasks: TASKS, logLines: LOG_LINES, logTaskId: TASK_ID, logRunId: RUN_ID });
const port = await freePort();
const web = spawn(process.execPath, [resolve(repoRoot, 'web/build/index.js')], {
  env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), COHORT_GATEWAY_URL: stub.url },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const dashboard = `http://127.0.0.1:${port}`;
const browser = await Browser.launch();

try {
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${dashboard}/healthz`).catch(() => undefined))?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const page = await browser.page();
  // Marks when the first task row and the first log line reach the DOM, on every navigation.
  await page.addInitScript({
    content: `(() => {
      const marks = {};
      globalThis.benchMarks = marks;
      new MutationObserver(() => {
        if (marks.firstRow === undefined && document.querySelector('tr[data-task-id]')) marks.firstRow = performance.now();
        if (marks.firstLogLine === undefined && document.querySelector('[data-seq]')) marks.firstLogLine = performance.now();
      }).observe(document, { childList: true, subtree: true });
    })()`,
  });
  const marks = () => page.evaluate(() => (globalThis as unknown as { benchMarks: Record<string, number> }).benchMarks);

  await page.goto(`${dashboard}/#token=bench-token`);
  await page.getByRole('heading', { name: 'Overview' }).waitFor();

  // Warm-up load, so the measured one reads the bundle from the HTTP cache as a returning user does.
  await page.goto(`${dashboard}/tasks`);
  await page.locator('tr[data-task-id]').first().waitFor();
  const taskRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.goto(`${dashboard}/tasks`);
    await page.locator('tr[data-task-id]').first().waitFor();
    await page.getByTestId('task-total').filter({ hasText: '10,000 tasks' }).waitFor();
    taskRuns.push((await marks()).firstRow!);
  }
  console.log(`task list first render: ${taskRuns.map(round).join(', ')} ms`);

  await page.goto(`${dashboard}/tasks/${TASK_ID}`);
  await page.locator('[data-seq]').first().waitFor({ timeout: 60_000 });
  const total = LOG_LINES.toLocaleString('en-US');
  await page.waitForFunction(
    `document.querySelector('[data-testid="log-count"]')?.textContent?.startsWith(${JSON.stringify(total)})`,
    undefined,
    {
      polling: 'raf',
      timeout: 300_000,
    },
  );
  const allLinesMs = await page.evaluate(() => performance.now());
  const firstLineMs = (await marks()).firstLogLine!;
  console.log(`log: first line ${round(firstLineMs)} ms, ${total} lines after ${round(allLinesMs)} ms`);

  // Passed as source text: the TypeScript loader would otherwise wrap the nested functions in a helper the page lacks.
  const scroll = (await page.evaluate(`(async () => {
    const viewport = document.querySelector('[data-testid="log-viewport"]');
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const run = async (frames, move) => {
      const deltas = [];
      let last = await frame();
      for (let i = 0; i < frames; i++) {
        move(i);
        const now = await frame();
        deltas.push(now - last);
        last = now;
      }
      return deltas;
    };
    const steadyDeltas = await run(${STEADY_FRAMES}, () => (viewport.scrollTop -= 400));
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * viewport.scrollHeight;
    const jumpDeltas = await run(${JUMP_FRAMES}, () => (viewport.scrollTop = random()));
    return { steadyDeltas, jumpDeltas, domRows: document.querySelectorAll('[data-seq]').length };
  })()`)) as { steadyDeltas: number[]; jumpDeltas: number[]; domRows: number };

  const result = {
    bench: 'dashboard',
    source: 'stub gateway from gateway/src/schema/schema.graphql with synthetic data (no Postgres, no NATS)',
    tasks: TASKS,
    tasks_first_render_ms: { p50: round(percentile(taskRuns, 50)), max: round(Math.max(...taskRuns)), runs: taskRuns.length },
    log_lines: LOG_LINES,
    log_first_line_ms: round(firstLineMs),
    log_all_lines_ms: round(allLinesMs),
    log_scroll_steady: summarize(scroll.steadyDeltas),
    log_scroll_jumps: summarize(scroll.jumpDeltas),
    dom_rows: scroll.domRows,
    log_pages: stub.requests.logPages,
    log_page_lines: stub.requests.logPageLines,
    log_subscriptions_from_seq: stub.requests.logSubscriptionsFromSeq,
  };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  web.kill('SIGTERM');
  await stub.close();
}
