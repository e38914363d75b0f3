// The code in the docs compiles against the current sources, so a guide cannot rot: every ```ts block
// of the guides, the package READMEs, the top-level docs and the README is type-checked, each as a
// module of its own (with DOM and Node types). A block opts out with ```ts no-check, for fragments only.
// Guides and package READMEs must be complete programs, imports included. The README and the
// reference docs (docs/*.md) show fragments, so they get a prelude declaring the few names they take
// for granted (`hub`, `client`, `app`, ...), typed as the real thing: a fragment that calls something
// the API no longer has still fails.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, type CodeBlock } from './code-blocks.js';
import { compileBlocks, type DocError } from './compile.js';
import { FRAGMENT_PRELUDE } from './prelude.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const virtualRoot = join(root, '.docs-check');
const markdown = (dir: string) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith('.md')).sort().map((f) => `${dir}/${f}`) : []);

const guides = markdown('docs/guides');
const packageReadmes = readdirSync(join(root, 'packages')).map((dir) => `packages/${dir}/README.md`).filter((path) => existsSync(join(root, path)));
const referenceDocs = [...markdown('docs'), 'README.md'];

const complete = [...guides, ...packageReadmes].flatMap((doc) => codeBlocks(root, doc, virtualRoot));
const fragments = referenceDocs.flatMap((doc) => codeBlocks(root, doc, virtualRoot));
let errors: DocError[] = [];

describe('the code in the docs compiles', () => {
  beforeAll(() => {
    errors = [...compileBlocks(root, complete), ...compileBlocks(root, fragments, FRAGMENT_PRELUDE)];
  }, 120_000);

  it('finds the blocks to compile', () => {
    expect(guides.length).toBeGreaterThanOrEqual(6);
    expect(complete.filter((b) => !b.skipped).length).toBeGreaterThan(20);
  });

  it.each([...guides, ...packageReadmes, ...referenceDocs])('%s', (doc) => {
    const blocks = [...complete, ...fragments].filter((b: CodeBlock) => b.doc === doc);
    const skipped = blocks.filter((b) => b.skipped);
    if (skipped.length > 0) console.log(`${doc}: ${skipped.length} block(s) marked no-check (lines ${skipped.map((b) => b.line).join(', ')})`);
    expect(errors.filter((e) => e.doc === doc).map((e) => e.text)).toEqual([]);
  });

  it('the prelude and the compiler options have no errors of their own', () => {
    expect(errors.filter((e) => e.doc.startsWith('(')).map((e) => e.text)).toEqual([]);
  });
});

describe('the README links every guide and doc', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  it.each([...guides, ...markdown('docs')])('%s', (doc) => {
    expect(readme.includes(`](${doc})`), `README.md has no link to ${doc}`).toBe(true);
  });
});
