// How every size check builds for the browser, the way an app's bundler would: one definition for the
// client's size test, the pack-and-install test and the benchmark.
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

const at = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** The client's browser bundle budget, min+gzip (level 9): the size test fails above it, the benchmark reports against it. */
export const BUNDLE_BUDGET = 9.5 * 1024;

/** Minified ESM for browsers (es2022), kept in memory. */
export const BROWSER_BUILD = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'silent',
} as const satisfies BuildOptions;

/** `import … from '@ghost/client'` built from the working tree's sources. */
export const CLIENT_FROM_SOURCES = {
  entryPoints: [at('packages/client/src/index.ts')],
  absWorkingDir: at(''),
  alias: { '@ghost/protocol': at('packages/protocol/src/index.ts') },
} satisfies BuildOptions;
