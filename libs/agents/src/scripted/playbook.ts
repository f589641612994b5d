import { isAbsolute, normalize, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { type ReviewVerdict } from '../agent-adapter.js';
import { RUN_KIND_KEYS } from './run-kind-key.js';

export type PlaybookStep =
  | { readonly type: 'write'; readonly path: string; readonly content: string }
  | { readonly type: 'patch'; readonly path: string; readonly find: string; readonly replace: string }
  | { readonly type: 'append'; readonly path: string; readonly content: string }
  | { readonly type: 'run'; readonly command: string }
  | { readonly type: 'print'; readonly text: string; readonly delayMs: number }
  | { readonly type: 'sleep'; readonly ms: number }
  | {
      readonly type: 'usage';
      readonly inputTokens: number;
      readonly cachedInputTokens: number;
      readonly outputTokens: number;
      readonly costUsd?: number;
      readonly model?: string;
    }
  | { readonly type: 'review'; readonly review: ReviewVerdict }
  | { readonly type: 'exit'; readonly code: number };

/** Steps per section key: a run kind key (`initial`, `resume:ci_failure`, …), optionally `#<attempt>`, or `default`. */
export type Playbook = ReadonlyMap<string, readonly PlaybookStep[]>;

export type PlaybookParseResult =
  { readonly ok: true; readonly value: Playbook } | { readonly ok: false; readonly errors: readonly string[] };

const STEP_KEYS = ['write', 'patch', 'append', 'run', 'print', 'sleep_ms', 'usage', 'review', 'exit'] as const;
type StepKey = (typeof STEP_KEYS)[number];
const SECTION_KEY = /^([a-z_:]+)(?:#([1-9][0-9]*))?$/;

/** Parses and validates a playbook; every problem is reported with where it is, e.g. `initial[2].patch.find`. */
export function parsePlaybook(source: string): PlaybookParseResult {
  const document = parseDocument(source, { uniqueKeys: true });
  if (document.errors.length > 0) {
    return { ok: false, errors: document.errors.map((error) => `not valid YAML: ${error.message}`) };
  }
  let root: unknown;
  try {
    root = document.toJS();
  } catch (error) {
    // toJS throws on alias bombs (a document that expands past yaml's alias limit).
    return { ok: false, errors: [`not valid YAML: ${(error as Error).message}`] };
  }
  if (!isRecord(root)) {
    return { ok: false, errors: [`a playbook is a mapping of run kinds to step lists, got ${describe(root)}`] };
  }
  const errors: string[] = [];
  const sections = new Map<string, PlaybookStep[]>();
  for (const [key, value] of Object.entries(root)) {
    const match = SECTION_KEY.exec(key);
    if (!match || !(RUN_KIND_KEYS as readonly string[]).includes(match[1] ?? '')) {
      errors.push(`unknown run kind "${key}"; accepted: ${RUN_KIND_KEYS.join(', ')} (optionally followed by #<attempt>, e.g. initial#2)`);
      continue;
    }
    if (value === null || value === undefined) {
      sections.set(key, []);
      continue;
    }
    if (!Array.isArray(value)) {
      errors.push(`${key}: expected a list of steps, got ${describe(value)}`);
      continue;
    }
    const steps: PlaybookStep[] = [];
    value.forEach((raw: unknown, index) => {
      const step = parseStep(raw, `${key}[${index}]`, errors);
      if (step) steps.push(step);
    });
    sections.set(key, steps);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: sections };
}

/**
 * The steps for a run: `<key>#<attempt>`, then `<key>`, then `resume` for any resume, then `default`.
 * Undefined when the playbook has none of them.
 */
export function selectSteps(playbook: Playbook, key: string, attempt: number): readonly PlaybookStep[] | undefined {
  const candidates = [`${key}#${attempt}`, key, ...(key.startsWith('resume:') ? ['resume'] : []), 'default'];
  for (const candidate of candidates) {
    const steps = playbook.get(candidate);
    if (steps) return steps;
  }
  return undefined;
}

function parseStep(raw: unknown, where: string, errors: string[]): PlaybookStep | undefined {
  if (!isRecord(raw)) {
    errors.push(`${where}: expected a step such as { print: "hello" }, got ${describe(raw)}`);
    return undefined;
  }
  const keys = Object.keys(raw);
  const stepKeys = keys.filter((key): key is StepKey => (STEP_KEYS as readonly string[]).includes(key));
  const allowed = new Set<string>(stepKeys[0] === 'print' ? ['print', 'delay_ms'] : stepKeys);
  const extra = keys.filter((key) => !allowed.has(key));
  if (stepKeys.length !== 1 || extra.length > 0) {
    const found = keys.length > 0 ? keys.join(', ') : 'nothing';
    errors.push(`${where}: a step has exactly one of ${STEP_KEYS.join(', ')} (print may add delay_ms); found ${found}`);
    return undefined;
  }
  const kind = stepKeys[0] as StepKey;
  const value = raw[kind];
  const at = `${where}.${kind}`;
  const field = new FieldReader(at, errors);
  switch (kind) {
    case 'write':
    case 'append': {
      const object = field.object(value);
      if (!object) return undefined;
      const path = field.path(object, 'path');
      const content = field.string(object, 'content');
      field.noExtra(object, ['path', 'content']);
      return path !== undefined && content !== undefined ? { type: kind, path, content } : undefined;
    }
    case 'patch': {
      const object = field.object(value);
      if (!object) return undefined;
      const path = field.path(object, 'path');
      const find = field.string(object, 'find');
      const replace = field.string(object, 'replace');
      field.noExtra(object, ['path', 'find', 'replace']);
      if (find === '') errors.push(`${at}.find: must not be empty`);
      return path !== undefined && find && replace !== undefined ? { type: 'patch', path, find, replace } : undefined;
    }
    case 'run':
      if (typeof value !== 'string' || value.trim() === '') {
        errors.push(`${at}: expected a command string, got ${describe(value)}`);
        return undefined;
      }
      return { type: 'run', command: value };
    case 'print': {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        errors.push(`${at}: expected a line of text, got ${describe(value)}`);
        return undefined;
      }
      const delayMs = raw['delay_ms'] === undefined ? 0 : field.count(raw['delay_ms'], `${where}.delay_ms`);
      return delayMs === undefined ? undefined : { type: 'print', text: String(value), delayMs };
    }
    case 'sleep_ms': {
      const ms = field.count(value, at);
      return ms === undefined ? undefined : { type: 'sleep', ms };
    }
    case 'usage': {
      const object = field.object(value);
      if (!object) return undefined;
      const inputTokens = field.count(object['input_tokens'], `${at}.input_tokens`);
      const cachedInputTokens =
        object['cached_input_tokens'] === undefined ? 0 : field.count(object['cached_input_tokens'], `${at}.cached_input_tokens`);
      const outputTokens = field.count(object['output_tokens'], `${at}.output_tokens`);
      const costUsd = object['cost_usd'] === undefined ? undefined : field.cost(object['cost_usd'], `${at}.cost_usd`);
      const model = object['model'] === undefined ? undefined : field.string(object, 'model');
      field.noExtra(object, ['input_tokens', 'cached_input_tokens', 'output_tokens', 'cost_usd', 'model']);
      if (inputTokens === undefined || cachedInputTokens === undefined || outputTokens === undefined) return undefined;
      return {
        type: 'usage',
        inputTokens,
        cachedInputTokens,
        outputTokens,
        ...(costUsd !== undefined ? { costUsd } : {}),
        ...(model !== undefined ? { model } : {}),
      };
    }
    case 'review':
      return parseReview(value, at, field, errors);
    case 'exit': {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) {
        errors.push(`${at}: expected an exit code from 0 to 255, got ${describe(value)}`);
        return undefined;
      }
      return { type: 'exit', code: value };
    }
  }
}

function parseReview(value: unknown, at: string, field: FieldReader, errors: string[]): PlaybookStep | undefined {
  const object = field.object(value);
  if (!object) return undefined;
  const verdict = object['verdict'];
  if (verdict !== 'approve' && verdict !== 'request_changes') {
    errors.push(`${at}.verdict: expected approve or request_changes, got ${describe(verdict)}`);
  }
  const body = object['body'] === undefined ? '' : field.string(object, 'body');
  field.noExtra(object, ['verdict', 'body', 'comments']);
  const rawComments = object['comments'] ?? [];
  if (!Array.isArray(rawComments)) {
    errors.push(`${at}.comments: expected a list of { path, line, body }, got ${describe(rawComments)}`);
    return undefined;
  }
  const comments = rawComments.map((raw: unknown, index) => {
    const commentField = new FieldReader(`${at}.comments[${index}]`, errors);
    const comment = commentField.object(raw);
    if (!comment) return undefined;
    const path = commentField.path(comment, 'path');
    const line = commentField.count(comment['line'], `${at}.comments[${index}].line`);
    const commentBody = commentField.string(comment, 'body');
    commentField.noExtra(comment, ['path', 'line', 'body']);
    return path !== undefined && line !== undefined && commentBody !== undefined ? { path, line, body: commentBody } : undefined;
  });
  if ((verdict !== 'approve' && verdict !== 'request_changes') || body === undefined) return undefined;
  if (comments.some((comment) => comment === undefined)) return undefined;
  return { type: 'review', review: { verdict, body, comments: comments.filter((c) => c !== undefined) } };
}

class FieldReader {
  constructor(
    private readonly at: string,
    private readonly errors: string[],
  ) {}

  object(value: unknown): Record<string, unknown> | undefined {
    if (isRecord(value)) return value;
    this.errors.push(`${this.at}: expected a mapping, got ${describe(value)}`);
    return undefined;
  }

  string(object: Record<string, unknown>, key: string): string | undefined {
    const value = object[key];
    if (typeof value === 'string') return value;
    this.errors.push(`${this.at}.${key}: expected a string, got ${describe(value)}`);
    return undefined;
  }

  /** A path inside the working directory: a playbook must not write elsewhere on the machine. */
  path(object: Record<string, unknown>, key: string): string | undefined {
    const value = this.string(object, key);
    if (value === undefined) return undefined;
    const normalized = normalize(value);
    if (value === '' || isAbsolute(value) || normalized === '..' || normalized.startsWith(`..${sep}`)) {
      this.errors.push(`${this.at}.${key}: expected a relative path inside the working directory, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  count(value: unknown, at: string): number | undefined {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    this.errors.push(`${at}: expected a whole number >= 0, got ${describe(value)}`);
    return undefined;
  }

  cost(value: unknown, at: string): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    this.errors.push(`${at}: expected a number >= 0, got ${describe(value)}`);
    return undefined;
  }

  noExtra(object: Record<string, unknown>, accepted: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (!accepted.includes(key)) this.errors.push(`${this.at}.${key}: unknown field; accepted: ${accepted.join(', ')}`);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
