import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildCommandInput, type LogEntry, type ReviewVerdict, type Usage, UsageAccumulator, scriptedAdapter } from '@cohort/agents';

/** A throwaway git repository with one commit, like a worktree the runtime hands an agent. */
export function tempGitRepo(): { readonly dir: string; readonly [Symbol.dispose]: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cohort-scripted-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@cohort.invalid');
  git('config', 'user.name', 'Cohort Test');
  writeFileSync(join(dir, 'README.md'), '# demo\n');
  git('add', '.');
  git('commit', '-q', '-m', 'initial');
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface AgentRun {
  readonly exitCode: number | null;
  readonly stdoutLines: readonly string[];
  readonly stderr: string;
  readonly entries: readonly LogEntry[];
  readonly usage: Usage;
  readonly review?: ReviewVerdict;
  readonly sessionId?: string;
  /** Milliseconds from spawn until each stdout line arrived. */
  readonly arrivals: readonly number[];
}

type RunInput = Partial<Omit<BuildCommandInput, 'workdir' | 'env'>> & {
  readonly playbook?: string;
  readonly extraArgs?: readonly string[];
};

/** Spawns the real scripted executable the way the agent runtime does: the adapter's command, no shell. */
export function runScripted(workdir: string, input: RunInput = {}): Promise<AgentRun> {
  const adapter = scriptedAdapter(input.playbook !== undefined ? { playbook: input.playbook } : {});
  const command = adapter.buildCommand({
    prompt: input.prompt ?? 'do the task',
    workdir,
    model: input.model ?? '',
    runKind: input.runKind ?? 'initial',
    ...(input.resumeReason ? { resumeReason: input.resumeReason } : {}),
    ...(input.attempt ? { attempt: input.attempt } : {}),
    ...(input.sessionId ? { sessionId: input.sessionId } : {}),
    env: {},
  });
  const started = performance.now();
  const child = spawn(command.command, [...command.args, ...(input.extraArgs ?? [])], {
    cwd: workdir,
    env: { ...process.env, ...command.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(command.stdin ?? '');
  const stdoutLines: string[] = [];
  const arrivals: number[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      stdoutLines.push(line);
      arrivals.push(performance.now() - started);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      if (buffered !== '') stdoutLines.push(buffered);
      const usage = new UsageAccumulator();
      const entries: LogEntry[] = [];
      let review: ReviewVerdict | undefined;
      let sessionId: string | undefined;
      for (const line of stdoutLines) {
        const parsed = adapter.parseLine(line, 'stdout');
        entries.push(...parsed.entries);
        if (parsed.usage) usage.add(parsed.usage);
        review = parsed.review ?? review;
        sessionId = parsed.sessionId ?? sessionId;
      }
      resolve({
        exitCode,
        stdoutLines,
        stderr,
        entries,
        usage: usage.total(),
        arrivals,
        ...(review ? { review } : {}),
        ...(sessionId ? { sessionId } : {}),
      });
    });
  });
}

export function texts(run: AgentRun, kind?: LogEntry['kind']): string[] {
  return run.entries.filter((entry) => kind === undefined || entry.kind === kind).map((entry) => entry.text);
}
