// Finds the TypeScript blocks of the Markdown docs and places each as a module in a virtual folder
// inside the repository, so they resolve `@ghost/*` (tsconfig paths), zod, express, ... as an app would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One fenced TypeScript block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository root. */
  doc: string;
  /** The 1-based line of the block's first code line in the Markdown file. */
  line: number;
  /** Where the block is compiled: a virtual path beside the others of its document. */
  file: string;
  code: string;
  /** ```ts no-check: a fragment that opts out; it is listed, not compiled. */
  skipped: boolean;
  /** The names the block takes for granted, from `<!-- assumes: a, b -->` on the line before its fence. */
  assumes: string[];
}

const ASSUMES = /^\s*<!-{2}\s*assumes:\s*([\w\s,]*?)\s*-->\s*$/;

const FENCE = /^(\s*)```(ts|typescript|tsx)\b([^\n]*)$/;

/**
 * The TypeScript blocks of `doc`. A block whose first line is a comment naming a file
 * (`// shared/schema.ts`) is placed at that path, so the other blocks of the document can import it
 * (`./shared/schema.js`); the others are `block-LINE.ts`. A block may name what it takes for granted
 * in an HTML comment on the line just before its fence: `<!-- assumes: hub, client -->`.
 */
export function codeBlocks(root: string, doc: string, virtualRoot: string): CodeBlock[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const dir = join(virtualRoot, doc.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-'));
  const blocks: CodeBlock[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++;
    const code = lines.slice(start, end).map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length))).join('\n');
    const ext = open[2] === 'tsx' ? '.tsx' : '.ts';
    const named = /^\/\/ ((?:[\w-]+\/)*[\w-]+\.tsx?)\b/.exec(code)?.[1];
    let name = named ?? `block-${start + 1}${ext}`;
    if (taken.has(name)) name = name.replace(/\.tsx?$/, `-${start + 1}$&`);
    taken.add(name);
    const assumes = ASSUMES.exec(lines[i - 1] ?? '')?.[1]!.split(/[\s,]+/).filter(Boolean) ?? [];
    blocks.push({ doc, line: start + 1, file: join(dir, name), code, skipped: /\bno-check\b/.test(open[3]!), assumes });
    i = end;
  }
  return blocks;
}
