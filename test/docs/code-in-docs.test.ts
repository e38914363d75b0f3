// The code in the docs compiles against the current sources, so a doc cannot rot: every ```ts (or
// ```tsx) block of README.md, of docs/**/*.md and of the package READMEs is type-checked with the
// workspace's TypeScript and tsconfig, each block a module of its own (with DOM and Node types).
//
// The convention, for whoever writes a doc:
// - A block is a complete module, imports included, unless it says what it takes for granted: an
//   HTML comment on the line just before the fence, `<!-- assumes: hub, client -->`, naming entries
//   of test/docs/assumptions.ts. Only those names are declared for that block, typed as the real
//   thing, so a fragment that calls what the API no longer has still fails. Naming something the
//   block does not use, or that the list does not know, fails too.
// - A block whose first line is a comment naming a file (`// shared/schema.ts`) can be imported by the
//   other blocks of its document (`./shared/schema.js`).
// - ```ts no-check opts a block out (listed in the output); keep it for what cannot compile on its own.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASSUMABLE } from './assumptions.js';
import { codeBlocks } from './code-blocks.js';
import { compileBlocks, type DocError } from './compile.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const virtualRoot = join(root, '.docs-check');

/** The Markdown files under `dir`, recursively, but not the generated API reference (docs/api). */
function markdown(dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return path === 'docs/api' ? [] : markdown(path);
    return entry.name.endsWith('.md') ? [path] : [];
  }).sort();
}

const packageReadmes = readdirSync(join(root, 'packages')).map((dir) => `packages/${dir}/README.md`).filter((path) => existsSync(join(root, path)));
const docs = ['README.md', ...markdown('docs'), ...packageReadmes];
const blocks = docs.flatMap((doc) => codeBlocks(root, doc, virtualRoot));
let errors: DocError[] = [];

describe('the code in the docs compiles', () => {
  beforeAll(() => {
    errors = compileBlocks(root, blocks, ASSUMABLE);
  }, 120_000);

  it('finds the docs and their blocks', () => {
    expect(docs).toContain('docs/guides/getting-started.md');
    expect(docs).toContain('docs/protocol.md');
    expect(blocks.filter((b) => !b.skipped).length).toBeGreaterThan(40);
  });

  it.each(docs)('%s', (doc) => {
    const mine = blocks.filter((b) => b.doc === doc);
    const skipped = mine.filter((b) => b.skipped);
    if (skipped.length > 0) console.log(`${doc}: ${skipped.length} block(s) marked no-check (lines ${skipped.map((b) => b.line).join(', ')})`);
    // An `assumes` comment that is not right before a TypeScript fence would assume nothing, silently.
    const comments = readFileSync(join(root, doc), 'utf8').split('\n').flatMap((line, i) => (/<!-{2}\s*assumes:/.test(line) ? [i + 1] : []));
    const placed = new Set(mine.filter((b) => b.assumes.length > 0).map((b) => b.line - 2));
    expect(comments.filter((line) => !placed.has(line)).map((line) => `${doc}:${line} an assumes comment must be the line just before a \`\`\`ts fence`)).toEqual([]);
    expect(errors.filter((e) => e.doc === doc).map((e) => e.text)).toEqual([]);
  });

  it('the compiler options have no errors of their own', () => {
    expect(errors.filter((e) => e.doc.startsWith('(')).map((e) => e.text)).toEqual([]);
  });
});

describe('the README links every guide and doc', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  it.each(markdown('docs'))('%s', (doc) => {
    expect(readme.includes(`](${doc})`), `README.md has no link to ${doc}`).toBe(true);
  });
});
