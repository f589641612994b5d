import { parseJsonPath, readJsonPath } from './json-path.js';

/** Param name → JSONPath into the webhook payload, e.g. `{ title: '$.issue.title' }`. */
export type WebhookMapping = Readonly<Record<string, string>>;

export interface MappingProblem {
  readonly param: string;
  readonly message: string;
}

export type MapResult =
  | { readonly ok: true; readonly params: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly problems: readonly MappingProblem[] };

export function validateMapping(mapping: WebhookMapping): readonly MappingProblem[] {
  return Object.entries(mapping).flatMap(([param, path]) => {
    const parsed = parseJsonPath(path);
    return parsed.ok ? [] : [{ param, message: parsed.message }];
  });
}

/**
 * Params for a task from a webhook payload. Values become strings (params travel
 * as strings); objects and arrays as JSON. Every unmapped or missing path is
 * reported at once. Params are data for prompts, never shell input.
 */
export function mapWebhookPayload(mapping: WebhookMapping, payload: unknown): MapResult {
  const problems: MappingProblem[] = [...validateMapping(mapping)];
  const params: Record<string, string> = {};
  for (const [param, path] of Object.entries(mapping)) {
    if (problems.some((p) => p.param === param)) continue;
    const value = readJsonPath(payload, path);
    if (value === undefined || value === null) {
      problems.push({ param, message: `payload has no value at ${path}` });
      continue;
    }
    params[param] = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, params };
}
