import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// An example is read, and copied, as one folder: what it takes from outside is named in its
// package.json (`@ghost/*`, `@ghost-examples/shared`, or the example it builds on, as the cluster
// example runs the chat demo), never reached by a path into a sibling. Only its tests may reach the
// repository's own test helpers (test/helpers), which no user copies.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const examplesDir = join(root, 'examples');
const testHelpers = join(root, 'test', 'helpers');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(?:tsx?|css)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

// Static imports and re-exports, side-effect imports (a stylesheet), and dynamic `import('…')`.
const SPECIFIERS = [
  /(?:^|;|\n)\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  /@import\s+(?:url\()?['"](\.{1,2}\/[^'"]+)['"]/g,
];

const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

/** The relative imports of an example's files that leave its folder, as `file → specifier`. */
function reachesOut(example: string): string[] {
  const dir = join(examplesDir, example);
  return sourceFiles(dir).flatMap((file) => {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const isTest = inside(file, join(dir, 'test'));
    return SPECIFIERS.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!))
      .filter((specifier) => {
        const target = resolve(dirname(file), specifier);
        return !inside(target, dir) && !(isTest && inside(target, testHelpers));
      })
      .map((specifier) => `${relative(examplesDir, file)} → ${specifier}`);
  });
}

const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('examples', () => {
  it('finds them', () => {
    expect(examples).toEqual(expect.arrayContaining(['chat', 'cursors', 'cursors-react', 'shared']));
  });

  it.each(examples)('%s imports nothing from outside its folder', (example) => {
    expect(reachesOut(example)).toEqual([]);
  });

  it.each(examples)('%s declares the @ghost-examples/* packages it imports, and only those', (example) => {
    const dir = join(examplesDir, example);
    const used = new Set(sourceFiles(dir).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/['"](@ghost-examples\/[^/'"]+)/g)].map((match) => match[1]!)));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const declared = Object.keys(pkg.dependencies ?? {}).filter((name) => name.startsWith('@ghost-examples/'));
    expect(declared.sort()).toEqual([...used].sort());
  });
});
