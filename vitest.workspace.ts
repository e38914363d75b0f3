import type { TestProjectConfiguration } from 'vitest/config';

// The single list of test projects. Vitest 4 no longer reads this file by itself (it ignores it
// silently), so vitest.config.ts imports it: edit the list here.
export default [
  { extends: true, test: { name: 'protocol', include: ['packages/protocol/test/**/*.test.ts'] } },
  // One Redis Cluster for the run, shared by the suites that run against a cluster as well.
  { extends: true, test: { name: 'server', include: ['packages/server/test/**/*.test.ts'], globalSetup: ['./test/helpers/redis-cluster-global.ts'], typecheck: { enabled: true, include: ['packages/server/test/**/*.test-d.ts'] } } },
  { extends: true, test: { name: 'client', include: ['packages/client/test/**/*.test.ts'], typecheck: { enabled: true, include: ['packages/client/test/**/*.test-d.ts'] } } },
  // Hooks rendered by React Testing Library in happy-dom, against a real hub over real sockets.
  { extends: true, test: { name: 'react', include: ['packages/react/test/**/*.test.{ts,tsx}'], environment: 'happy-dom', typecheck: { enabled: true, include: ['packages/react/test/**/*.test-d.ts'] } } },
  { extends: true, test: { name: 'testing', include: ['packages/testing/test/**/*.test.ts'] } },
  // ghost-hub run as child processes through its bin, which runs the sources in the repository (no build).
  { extends: true, test: { name: 'hub', include: ['packages/hub/test/**/*.test.ts'], testTimeout: 30_000, typecheck: { enabled: false } } },
  { extends: true, test: { name: 'examples', include: ['examples/*/test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
  // Packs the packages, installs the tarballs into a throwaway app, type-checks, bundles (esbuild, Vite)
  // and loads the bundles in Chromium (needs the npm registry): 1–3 min.
  { extends: true, test: { name: 'install', include: ['test/install/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 600_000, typecheck: { enabled: false } } },
  { extends: true, test: { name: 'recipes', include: ['recipes/**/*.test.ts'], typecheck: { enabled: false } } },
  // Release basics (versions that move together) and the code of every guide, compiled.
  { extends: true, test: { name: 'release', include: ['test/release/**/*.test.ts'], typecheck: { enabled: false } } },
  // Where code lives: no import cycles inside any package's src (type-only imports included).
  { extends: true, test: { name: 'structure', include: ['test/structure/**/*.test.ts'], typecheck: { enabled: false } } },
  { extends: true, test: { name: 'docs', include: ['test/docs/**/*.test.ts'], typecheck: { enabled: false } } },
  // Randomised, time-boxed runs (connections cut at random for 15 s): `npm run test:soak`, not `npm test`.
  { extends: true, test: { name: 'soak', include: ['packages/*/soak/**/*.soak.test.ts'], testTimeout: 60_000, typecheck: { enabled: false } } },
] satisfies TestProjectConfiguration[];
