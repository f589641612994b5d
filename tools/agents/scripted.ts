import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PROMPT_PREFIX, type ScriptedEvent, encodeScriptedEvent, parsePlaybook, selectSteps } from '@cohort/agents';
import { USAGE, parseArgs } from './src/cli-args.js';
import { runSteps } from './src/run-steps.js';

/** Exit code of a usage or playbook error, so a broken playbook never looks like the agent's own outcome. */
const CONFIG_ERROR_EXIT = 2;

function emit(event: ScriptedEvent): void {
  process.stdout.write(`${encodeScriptedEvent(event)}\n`);
}

function finish(exitCode: number, sessionId: string, text: string): void {
  emit({ type: 'result', exit_code: exitCode, session_id: sessionId, text });
  // exitCode rather than exit(): a piped stdout must drain before the process goes.
  process.exitCode = exitCode;
}

function fail(errors: readonly string[], sessionId: string): void {
  for (const text of errors) {
    emit({ type: 'error', text });
    process.stderr.write(`scripted: ${text}\n`);
  }
  finish(CONFIG_ERROR_EXIT, sessionId, `playbook error: ${errors[0] ?? 'unknown'}`);
}

async function readPrompt(promptFile: string | undefined): Promise<string> {
  if (promptFile !== undefined) return readFile(promptFile, 'utf8');
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`scripted: ${parsed.error}\n${USAGE}\n`);
    process.exitCode = CONFIG_ERROR_EXIT;
    return;
  }
  const args = parsed.value;
  const workdir = process.cwd();
  const sessionId = args.sessionId ?? `scripted-${args.runKind}-${args.attempt}`;

  let prompt: string;
  try {
    prompt = await readPrompt(args.promptFile);
  } catch (error) {
    return fail([`cannot read the prompt file ${args.promptFile}: ${(error as Error).message}`], sessionId);
  }
  const promptLines = prompt === '' ? [] : prompt.replace(/\n$/, '').split('\n');
  for (const line of promptLines) emit({ type: 'prompt', text: `${PROMPT_PREFIX}${line}` });

  const playbookPath = resolve(workdir, args.playbook ?? process.env['COHORT_PLAYBOOK'] ?? '.cohort/playbook.yaml');
  let source: string;
  try {
    source = await readFile(playbookPath, 'utf8');
  } catch {
    return fail([`playbook not found: ${playbookPath} (pass --playbook <file> or create .cohort/playbook.yaml)`], sessionId);
  }
  const playbook = parsePlaybook(source);
  if (!playbook.ok)
    return fail(
      playbook.errors.map((error) => `${playbookPath}: ${error}`),
      sessionId,
    );

  const steps = selectSteps(playbook.value, args.runKind, args.attempt);
  if (!steps) {
    const defined = [...playbook.value.keys()].join(', ') || 'nothing';
    return fail([`${playbookPath}: no steps for "${args.runKind}" and no "default"; the playbook defines: ${defined}`], sessionId);
  }
  const outcome = await runSteps(steps, args.runKind, workdir, emit);
  if (!outcome.ok) return fail([outcome.error], sessionId);
  finish(outcome.exitCode, sessionId, `${args.runKind} attempt ${args.attempt} finished`);
}

await main();
