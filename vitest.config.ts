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
      '@ghost/react': src('react'),
      '@ghost/testing': src('testing'),
    },
  },
  test: {
    projects,
    setupFiles: ['./test/helpers/setup.ts'],
    passWithNoTests: false,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Type tests run in the project of their package only: inherited by every project, each `.test-d.ts`
    // was checked once per project (six times, ~2 min).
    typecheck: { enabled: false, tsconfig: './tsconfig.json' },
  },
});
