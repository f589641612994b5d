import { RUN_KIND_KEYS } from '@cohort/agents';

export interface ScriptedArgs {
  /** A playbook section key such as `initial` or `resume:ci_failure`. */
  readonly runKind: string;
  /** @default 1 */
  readonly attempt: number;
  /** @default $COHORT_PLAYBOOK, else .cohort/playbook.yaml in the working directory */
  readonly playbook?: string;
  /** Without it the prompt is read from stdin. */
  readonly promptFile?: string;
  readonly model?: string;
  readonly sessionId?: string;
}

export const USAGE =
  'usage: scripted --run-kind <kind> [--attempt <n>] [--playbook <file>] [--prompt-file <file>] [--model <m>] [--session-id <id>]\n' +
  `  kinds: ${RUN_KIND_KEYS.filter((key) => key !== 'default').join(', ')}; the prompt is read from stdin without --prompt-file`;

export type ParsedArgs = { readonly ok: true; readonly value: ScriptedArgs } | { readonly ok: false; readonly error: string };

const VALUE_FLAGS = ['--run-kind', '--attempt', '--playbook', '--prompt-file', '--model', '--session-id'] as const;

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) return { ok: false, error: `unknown argument ${JSON.stringify(arg)}` };
    const value = inline ?? argv[(i += 1)];
    if (value === undefined) return { ok: false, error: `${flag} needs a value` };
    values.set(flag, value);
  }
  const runKind = values.get('--run-kind');
  if (runKind === undefined) return { ok: false, error: '--run-kind is required' };
  if (!(RUN_KIND_KEYS as readonly string[]).includes(runKind) || runKind === 'default') {
    return { ok: false, error: `--run-kind ${JSON.stringify(runKind)} is not a run kind` };
  }
  const attemptText = values.get('--attempt') ?? '1';
  const attempt = Number(attemptText);
  if (!/^[1-9][0-9]*$/.test(attemptText) || !Number.isSafeInteger(attempt)) {
    return { ok: false, error: `--attempt expects a whole number >= 1, got ${JSON.stringify(attemptText)}` };
  }
  const optional = (flag: string, key: keyof ScriptedArgs) => (values.has(flag) ? { [key]: values.get(flag) } : {});
  return {
    ok: true,
    value: {
      runKind,
      attempt,
      ...optional('--playbook', 'playbook'),
      ...optional('--prompt-file', 'promptFile'),
      ...optional('--model', 'model'),
      ...optional('--session-id', 'sessionId'),
    },
  };
}
