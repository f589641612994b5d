import { spawn } from 'node:child_process';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { type PlaybookStep, type ScriptedEvent } from '@cohort/agents';

export type Emit = (event: ScriptedEvent) => void;

/** How the steps ended: the exit code asked for, or a step that could not be carried out. */
export type StepsOutcome = { readonly ok: true; readonly exitCode: number } | { readonly ok: false; readonly error: string };

export async function runSteps(steps: readonly PlaybookStep[], key: string, workdir: string, emit: Emit): Promise<StepsOutcome> {
  for (const [index, step] of steps.entries()) {
    const where = `${key}[${index}]`;
    switch (step.type) {
      case 'write':
      case 'append': {
        const file = resolve(workdir, step.path);
        await mkdir(dirname(file), { recursive: true });
        await (step.type === 'write' ? writeFile : appendFile)(file, step.content);
        emit({ type: 'tool', text: `${step.type} ${step.path}` });
        break;
      }
      case 'patch': {
        const file = resolve(workdir, step.path);
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch {
          return { ok: false, error: `${where}.patch.path: ${step.path} does not exist in ${workdir}` };
        }
        if (!text.includes(step.find)) {
          return { ok: false, error: `${where}.patch.find: ${JSON.stringify(step.find)} not found in ${step.path}` };
        }
        await writeFile(
          file,
          text.replace(step.find, () => step.replace),
        );
        emit({ type: 'tool', text: `patch ${step.path}` });
        break;
      }
      case 'run': {
        emit({ type: 'tool', text: `$ ${step.command}` });
        const code = await runCommand(step.command, workdir, emit);
        emit({ type: 'tool', text: `exit ${code}` });
        break;
      }
      case 'print':
        if (step.delayMs > 0) await sleep(step.delayMs);
        emit({ type: 'text', text: step.text });
        break;
      case 'sleep':
        await sleep(step.ms);
        break;
      case 'usage':
        emit({
          type: 'usage',
          input_tokens: step.inputTokens,
          cached_input_tokens: step.cachedInputTokens,
          output_tokens: step.outputTokens,
          ...(step.costUsd !== undefined ? { cost_usd: step.costUsd } : {}),
          ...(step.model !== undefined ? { model: step.model } : {}),
        });
        break;
      case 'review':
        emit({ type: 'review', ...step.review });
        break;
      case 'exit':
        return { ok: true, exitCode: step.code };
    }
  }
  return { ok: true, exitCode: 0 };
}

/** Runs through /bin/sh like a person at a terminal would; a failing command is output, not an error. */
async function runCommand(command: string, workdir: string, emit: Emit): Promise<number> {
  const child = spawn('/bin/sh', ['-c', command], { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] });
  const pump = (stream: 'stdout' | 'stderr') =>
    new Promise<void>((done) => {
      const lines = createInterface({ input: child[stream], crlfDelay: Infinity });
      lines.on('line', (text) => emit({ type: 'output', stream, text }));
      lines.on('close', done);
    });
  const exited = new Promise<number>((done) => {
    child.on('error', () => done(127));
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
  const [code] = await Promise.all([exited, pump('stdout'), pump('stderr')]);
  return code;
}
