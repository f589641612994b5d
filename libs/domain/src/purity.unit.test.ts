import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// libs/domain decides; it never does I/O. Every import of a non-test source file
// must be relative or one of these pure packages.
const ALLOWED = new Set(['@cohort/contracts', '@bufbuild/protobuf', 'handlebars', 'croner']);
const root = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

describe('libs/domain purity', () => {
  const files = sources(root);

  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(15);
  });

  it('reads every kind of import statement', () => {
    expect(
      importsOf(
        "import a from 'x';\nimport type { B } from \"y\";\nexport * from './z.js';\nconst c = await import('w');\nrequire('v');\nimport 'side';",
      ),
    ).toEqual(['x', 'y', './z.js', 'w', 'v', 'side']);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s imports only pure modules', (_name, file) => {
    const offending = importsOf(readFileSync(file, 'utf8')).filter((spec) => !spec.startsWith('.') && !ALLOWED.has(spec));
    expect(offending).toEqual([]);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s reads no clock, randomness or environment', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/Date\.now\(|Math\.random\(|new Date\(\)|process\.|setTimeout\(|setInterval\(|fetch\(/);
  });
});
