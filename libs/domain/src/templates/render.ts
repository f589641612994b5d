import Handlebars from 'handlebars';

/**
 * The one prompt renderer. Handlebars gives the syntax (`{{ name }}`, dotted
 * paths, nestable `{{#if}}…{{else}}…{{/if}}`, `\{{` for literal braces); this
 * module adds the semantics Cohort needs on top:
 *
 * - missing variables are an error naming *every* missing name, found by
 *   walking the parsed template against the data before rendering (Handlebars'
 *   own `strict` mode stops at the first one);
 * - `if`/`unless` use Cohort's falsy rule: missing, `""`, `"false"`, `"0"`,
 *   `false`, `0` and `[]` are false;
 * - no HTML escaping: prompts are plain text.
 */
export type RenderResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: RenderError };

export type RenderError =
  | { readonly code: 'missing_variables'; readonly missing: readonly string[]; readonly message: string }
  | { readonly code: 'syntax'; readonly message: string };

export type TemplateData = Readonly<Record<string, unknown>>;

export function isFalsy(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === false ||
    value === 0 ||
    value === '' ||
    value === 'false' ||
    value === '0' ||
    (Array.isArray(value) && value.length === 0)
  );
}

const engine = Handlebars.create();
engine.registerHelper('if', function (this: unknown, condition: unknown, options: Handlebars.HelperOptions) {
  return isFalsy(condition) ? options.inverse(this) : options.fn(this);
});
engine.registerHelper('unless', function (this: unknown, condition: unknown, options: Handlebars.HelperOptions) {
  return isFalsy(condition) ? options.fn(this) : options.inverse(this);
});

const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);

export function renderTemplate(source: string, data: TemplateData): RenderResult {
  let ast: hbs.AST.Program;
  try {
    ast = engine.parse(source);
  } catch (e) {
    return { ok: false, error: { code: 'syntax', message: `template does not parse: ${(e as Error).message}` } };
  }
  const missing = new Set<string>();
  const syntax = walkProgram(ast, [data], missing);
  if (syntax !== undefined) return { ok: false, error: { code: 'syntax', message: syntax } };
  if (missing.size > 0) {
    const names = [...missing];
    return {
      ok: false,
      error: { code: 'missing_variables', missing: names, message: `missing template variables: ${names.join(', ')}` },
    };
  }
  return { ok: true, text: engine.compile(ast, { noEscape: true })(data) };
}

/** Names of every variable a template refers to (outside `each` blocks), for declarations and UIs. */
export function referencedVariables(source: string): readonly string[] {
  const names = new Set<string>();
  const visit = (node: hbs.AST.Node | undefined): void => {
    if (node === undefined) return;
    switch (node.type) {
      case 'Program':
        (node as hbs.AST.Program).body.forEach(visit);
        return;
      case 'MustacheStatement':
      case 'BlockStatement': {
        const s = node as hbs.AST.MustacheStatement | hbs.AST.BlockStatement;
        if (s.params.length === 0 && s.path.type === 'PathExpression') pathName(s.path as hbs.AST.PathExpression, names);
        s.params.forEach((p) => p.type === 'PathExpression' && pathName(p as hbs.AST.PathExpression, names));
        if (node.type === 'BlockStatement') {
          const b = node as hbs.AST.BlockStatement;
          if (b.path.original !== 'each' && b.path.original !== 'with') visit(b.program);
          visit(b.inverse);
        }
        return;
      }
      default:
        return;
    }
  };
  visit(engine.parse(source));
  return [...names];
}

function pathName(path: hbs.AST.PathExpression, into: Set<string>): void {
  if (!path.data && path.depth === 0 && path.parts.length > 0) into.add(path.parts.join('.'));
}

/** Walks only the branches that will render; returns a message for unsupported constructs. */
function walkProgram(program: hbs.AST.Program | undefined, contexts: readonly unknown[], missing: Set<string>): string | undefined {
  if (program === undefined) return undefined;
  for (const node of program.body) {
    const problem = walkStatement(node, contexts, missing);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function walkStatement(node: hbs.AST.Statement, contexts: readonly unknown[], missing: Set<string>): string | undefined {
  if (node.type === 'MustacheStatement') {
    const m = node as hbs.AST.MustacheStatement;
    if (m.path.type !== 'PathExpression') return undefined;
    const path = m.path as hbs.AST.PathExpression;
    if (m.params.length > 0 || engine.helpers[path.original] !== undefined) {
      return `"${path.original}" is a helper; prompts may only use variables, if, unless, each and with`;
    }
    if (resolve(path, contexts) === undefined) missing.add(displayName(path));
    return undefined;
  }
  if (node.type === 'BlockStatement') {
    const b = node as hbs.AST.BlockStatement;
    const helper = b.path.original;
    if (!BLOCK_HELPERS.has(helper) || b.params.length !== 1)
      return `block "${helper}" is not supported; use if, unless, each or with with one argument`;
    const arg = b.params[0]!;
    const value = arg.type === 'PathExpression' ? resolve(arg as hbs.AST.PathExpression, contexts) : (arg as hbs.AST.StringLiteral).value;
    if (helper === 'if' || helper === 'unless') {
      const taken = isFalsy(value) === (helper === 'unless');
      return walkProgram(taken ? b.program : b.inverse, contexts, missing);
    }
    if (helper === 'each') {
      const items = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [];
      if (items.length === 0) return walkProgram(b.inverse, contexts, missing);
      for (const item of items) {
        const problem = walkProgram(b.program, [item, ...contexts], missing);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    return isFalsy(value) ? walkProgram(b.inverse, contexts, missing) : walkProgram(b.program, [value, ...contexts], missing);
  }
  if (
    node.type === 'PartialStatement' ||
    node.type === 'PartialBlockStatement' ||
    node.type === 'DecoratorBlock' ||
    node.type === 'Decorator'
  ) {
    return 'partials and decorators are not supported in prompts';
  }
  return undefined; // content and comments
}

function displayName(path: hbs.AST.PathExpression): string {
  return path.original.replace(/^(\.\.\/)+/, '').replace(/^this\./, '');
}

function resolve(path: hbs.AST.PathExpression, contexts: readonly unknown[]): unknown {
  if (path.data) return ''; // @index, @key and friends always exist inside blocks
  let value: unknown = contexts[Math.min(path.depth, contexts.length - 1)];
  for (const part of path.parts) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value === null ? undefined : value;
}
