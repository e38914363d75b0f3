import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.ts';

const src = (name: string, file = 'index') => fileURLToPath(new URL(`./packages/${name}/src/${file}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources: no build step between an edit and a test.
    alias: {
      // Subpaths first: an alias also matches `key/…`, so '@ghost/server' would swallow '@ghost/server/redis'.
      '@ghost/server/redis': src('server', 'redis'),
      '@ghost/protocol': src('protocol'),
      '@ghost/server': src('server'),
      '@ghost/client': src('client'),
    },
  },
  test: {
    projects,
    setupFiles: ['./test/helpers/setup.ts'],
    passWithNoTests: false,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    typecheck: { enabled: true, include: ['packages/*/test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
