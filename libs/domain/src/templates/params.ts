import { renderTemplate, type RenderResult } from './render.js';

export type ParamType = 'string' | 'number' | 'boolean' | 'enum';

export interface TemplateParam {
  readonly name: string;
  readonly type: ParamType;
  /** @default false */
  readonly required?: boolean;
  /** Used when the param is not given; a required param with a default is never missing. */
  readonly default?: string | number | boolean;
  /** Allowed values, for `enum`. */
  readonly values?: readonly string[];
  readonly description: string;
}

export interface TemplateDeclaration {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly params: readonly TemplateParam[];
  readonly body: string;
}

export type ParamValue = string | number | boolean;

export interface ParamProblem {
  /** `params.<name>`, matching the CreateTask field it came from. */
  readonly field: string;
  readonly message: string;
}

export type ValidateParamsResult =
  | { readonly ok: true; readonly values: Readonly<Record<string, ParamValue>> }
  | { readonly ok: false; readonly problems: readonly ParamProblem[] };

/**
 * Checks params (strings, as they travel in CreateTask) against a declaration and
 * returns every problem at once, or the typed values with defaults filled in.
 * Params are data for prompts; nothing here ever builds a shell command from them.
 */
export function validateParams(declaration: TemplateDeclaration, given: Readonly<Record<string, string>>): ValidateParamsResult {
  const problems: ParamProblem[] = [];
  const values: Record<string, ParamValue> = {};
  const declared = new Map(declaration.params.map((p) => [p.name, p]));
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) {
      const known = declaration.params.map((p) => p.name).join(', ') || 'none';
      problems.push({ field: `params.${name}`, message: `template "${declaration.id}" has no param "${name}"; its params are: ${known}` });
    }
  }
  for (const param of declaration.params) {
    const raw = given[param.name];
    if (raw === undefined || raw === '') {
      if (param.default !== undefined) values[param.name] = param.default;
      else if (param.required)
        problems.push({ field: `params.${param.name}`, message: `param "${param.name}" is required (${param.description})` });
      continue;
    }
    const parsed = parseValue(param, raw);
    if (typeof parsed === 'object') problems.push({ field: `params.${param.name}`, message: parsed.problem });
    else values[param.name] = parsed;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

function parseValue(param: TemplateParam, raw: string): ParamValue | { problem: string } {
  switch (param.type) {
    case 'string':
      return raw;
    case 'number': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : { problem: `param "${param.name}" must be a number, got "${raw}"` };
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      return { problem: `param "${param.name}" must be true or false, got "${raw}"` };
    case 'enum': {
      const allowed = param.values ?? [];
      return allowed.includes(raw)
        ? raw
        : { problem: `param "${param.name}" must be one of ${allowed.map((v) => `"${v}"`).join(', ')}, got "${raw}"` };
    }
  }
}

/** Validates the params and renders the declaration's body with them. */
export function renderDeclaration(
  declaration: TemplateDeclaration,
  given: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, unknown>> = {},
): { readonly ok: false; readonly problems: readonly ParamProblem[] } | RenderResult {
  const validated = validateParams(declaration, given);
  if (!validated.ok) return validated;
  return renderTemplate(declaration.body, { ...extra, ...validated.values });
}
