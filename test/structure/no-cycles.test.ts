import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Reading order matters: a package's source should read bottom-up, each file depending only on files
// below it. A cycle means neither file can be understood first, so every one fails this test.
// Type-only imports (`import type`, `export type … from`) count too: they tangle the reading order
// just as much, even though they vanish at runtime.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const packagesDir = join(root, 'packages');

/** Every .ts/.tsx file under a directory, as absolute paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

// Static `import … from './x.js'`, `import './x.js'`, `export … from './x.js'`, multi-line lists included.
const SPECIFIER = /(?:^|;|\n)\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** Maps a relative specifier to the source file it names (`./x.js` → `x.ts` or `x.tsx` or `x/index.ts`). */
function resolveSpecifier(from: string, specifier: string, files: Set<string>): string | undefined {
  const base = resolve(dirname(from), specifier).replace(/\.(?:js|jsx|ts|tsx)$/, '');
  return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')].find((f) => files.has(f));
}

/** The import graph of one package's src: file → files it imports. */
export function importGraph(srcDir: string): Map<string, string[]> {
  const files = sourceFiles(srcDir);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const targets = new Set<string>();
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolveSpecifier(file, match[1]!, known);
      if (target !== undefined) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** The cycles a depth-first walk meets, one per back edge: fixing them all leaves a graph with none. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        // One rotation per cycle, starting at its smallest name, so the same cycle is listed once.
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        const key = rotated.join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(rotated);
        }
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

const packages = readdirSync(packagesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('import graph of packages/*/src', () => {
  it('finds every package', () => {
    expect(packages).toEqual(expect.arrayContaining(['client', 'protocol', 'server']));
  });

  it.each(packages)('%s has no import cycle', (name) => {
    const srcDir = join(packagesDir, name, 'src');
    const graph = importGraph(srcDir);
    expect(graph.size).toBeGreaterThan(0);
    const show = (file: string) => relative(srcDir, file);
    const cycles = findCycles(graph).map((cycle) => [...cycle, cycle[0]!].map(show).join(' → '));
    expect(cycles, `import cycles in packages/${name}/src:\n${cycles.join('\n')}`).toEqual([]);
  });
});

// Cycles aside, a few files are the top of @ghost/server and must stay there: the public entry, the
// factory and the Hub class are what everything else is built for, so nothing below may reach up to
// them (ops/ reads a hub through HubInternals), and options are plain data that features read.
describe('layers of packages/server/src', () => {
  const srcDir = join(packagesDir, 'server', 'src');
  const graph = importGraph(srcDir);
  const importersOf = (file: string) =>
    [...graph].filter(([, targets]) => targets.includes(join(srcDir, file))).map(([from]) => relative(srcDir, from)).sort();

  it('only index.ts and create-hub.ts import hub.ts, only index.ts imports create-hub.ts, none imports index.ts', () => {
    expect(importersOf('hub.ts')).toEqual(['create-hub.ts', 'index.ts']);
    expect(importersOf('create-hub.ts')).toEqual(['index.ts']);
    expect(importersOf('index.ts')).toEqual([]);
  });

  it('options.ts imports nothing from features/', () => {
    const fromFeatures = graph.get(join(srcDir, 'options.ts'))!.filter((target) => relative(srcDir, target).startsWith('features/'));
    expect(fromFeatures.map((target) => relative(srcDir, target))).toEqual([]);
  });
});
