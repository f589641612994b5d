import { Redactor } from '@cohort/platform';

/** Operations whose arguments may carry secret values. */
const SECRET_BEARING = /\bsetSecret\b/;

/**
 * A masker for error messages of a request that may carry a secret value
 * (setSecret). GraphQL's own messages quote offending values (e.g. "String
 * cannot represent a non string value: 123456"), so every literal and every
 * variable value of such a request is masked wherever it appears. Other
 * requests are left alone.
 */
export function requestRedactor(query: unknown, variables: unknown): ((text: string) => string) | undefined {
  if (typeof query !== 'string' || !SECRET_BEARING.test(query)) return undefined;
  const redactor = new Redactor();
  for (const match of query.matchAll(/"""([\s\S]*?)"""|"((?:[^"\\\n]|\\.)*)"|(-?\d[\d.eE+-]*)/g)) {
    const literal = match[1] ?? match[2] ?? match[3];
    if (literal !== undefined) redactor.add(literal, literal.trim());
  }
  const visit = (value: unknown): void => {
    if (typeof value === 'string') redactor.add(value, JSON.stringify(value).slice(1, -1));
    else if (typeof value === 'number' || typeof value === 'boolean') redactor.add(String(value));
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(variables);
  return (text) => redactor.redact(text);
}
