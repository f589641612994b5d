/**
 * The subset of JSONPath webhook mappings need: `$`, `.name`, `['name']` and
 * `[index]`, e.g. `$.issue.title` or `$.items[0].id`. No wildcards or filters:
 * a mapping must name exactly one value.
 */
export type PathSegment = string | number;

export type ParsedPath =
  { readonly ok: true; readonly segments: readonly PathSegment[] } | { readonly ok: false; readonly message: string };

const TOKEN = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\])/;

export function parseJsonPath(path: string): ParsedPath {
  if (!path.startsWith('$')) return { ok: false, message: `path "${path}" must start with "$", e.g. "$.issue.title"` };
  const segments: PathSegment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = TOKEN.exec(rest);
    if (m === null) return { ok: false, message: `path "${path}" is not supported at "${rest}"; use .name, ['name'] or [index]` };
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push((m[3] ?? m[4])!);
    rest = rest.slice(m[0].length);
  }
  return { ok: true, segments };
}

/** The value at `path`, or undefined when any step is missing. */
export function readJsonPath(value: unknown, path: string): unknown {
  const parsed = parseJsonPath(path);
  if (!parsed.ok) return undefined;
  let current = value;
  for (const segment of parsed.segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
