import type { TestProjectConfiguration } from 'vitest/config';

// The single list of test projects. Vitest 4 no longer reads this file by itself (it ignores it
// silently), so vitest.config.ts imports it: edit the list here.
export default [
  { extends: true, test: { name: 'protocol', include: ['packages/protocol/test/**/*.test.ts'] } },
  { extends: true, test: { name: 'server', include: ['packages/server/test/**/*.test.ts'] } },
  { extends: true, test: { name: 'client', include: ['packages/client/test/**/*.test.ts'] } },
  { extends: true, test: { name: 'examples', include: ['examples/*/test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
  // Packs the packages and installs the tarballs into throwaway apps (needs the npm registry): ~40 s.
  { extends: true, test: { name: 'install', include: ['test/install/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 600_000, typecheck: { enabled: false } } },
  { extends: true, test: { name: 'recipes', include: ['recipes/**/*.test.ts'], typecheck: { enabled: false } } },
] satisfies TestProjectConfiguration[];
