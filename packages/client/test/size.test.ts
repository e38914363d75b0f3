// Size budget of the browser build of @ghost/client: what an app's bundler ships for
// `import { createClient } from '@ghost/client'`, with what it needs of @ghost/protocol, eventemitter3
// and the browser build of isomorphic-ws. zod must be tree-shaken away: the hub validates, the
// browser trusts the hub.
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_BUILD, BUNDLE_BUDGET as BUDGET, CLIENT_FROM_SOURCES } from '../../../test/helpers/browser-bundle.js';


let code = '';
let gzipped = 0;
let metafile: Metafile;

/** The files of the bundle that contributed bytes to it, as paths relative to the repo root. */
function shipped(): string[] {
  const output = Object.values(metafile.outputs)[0]!;
  return Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
}

/** The chain of imports from the entry to the first input matching `target`, to say what drags it in. */
function importChain(target: RegExp): string[] | undefined {
  const start = Object.keys(metafile.inputs).find((path) => path.endsWith('packages/client/src/index.ts'))!;
  const previous = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (target.test(path)) {
      const chain: string[] = [];
      for (let at: string | null = path; at !== null; at = previous.get(at) ?? null) chain.unshift(at);
      return chain;
    }
    for (const imported of metafile.inputs[path]?.imports ?? []) {
      if (imported.external || previous.has(imported.path)) continue;
      previous.set(imported.path, path);
      queue.push(imported.path);
    }
  }
  return undefined;
}

describe('browser bundle of @ghost/client', () => {
  beforeAll(async () => {
    const result = await build({ ...BROWSER_BUILD, ...CLIENT_FROM_SOURCES, metafile: true });
    code = result.outputFiles[0]!.text;
    gzipped = gzipSync(code, { level: 9 }).length;
    metafile = result.metafile;
    console.log(
      `@ghost/client browser bundle: ${code.length} B minified, ${gzipped} B min+gzip ` +
        `(budget ${BUDGET} B, ${((gzipped / BUDGET) * 100).toFixed(0)}% used)`,
    );
  });

  it(`stays within ${BUDGET} bytes min+gzip`, () => {
    expect(gzipped).toBeGreaterThan(1000); // sanity: the bundle really holds the client
    expect(gzipped).toBeLessThanOrEqual(BUDGET);
  });

  it('leaves zod out', () => {
    const zodFiles = shipped().filter((path) => /node_modules\/zod\//.test(path));
    const chain = zodFiles.length > 0 ? importChain(/node_modules\/zod\//) : undefined;
    expect(zodFiles, chain ? `zod is bundled, dragged in by: ${chain.join(' -> ')}` : undefined).toEqual([]);
    expect(code).not.toMatch(/\$Zod|ZodError|zod\.dev/);
  });

  it('uses the browser build of isomorphic-ws, not ws', () => {
    const files = shipped();
    expect(files).toContain('node_modules/isomorphic-ws/browser.js');
    expect(files.filter((path) => /node_modules\/ws\//.test(path))).toEqual([]);
  });
});
