import type { TestProjectConfiguration } from 'vitest/config';

// The single list of test projects. Vitest 4 no longer reads this file by itself (it ignores it
// silently), so vitest.config.ts imports it: edit the list here.
export default [
  { extends: true, test: { name: 'protocol', include: ['packages/protocol/test/**/*.test.ts'] } },
  { extends: true, test: { name: 'server', include: ['packages/server/test/**/*.test.ts'] } },
  { extends: true, test: { name: 'client', include: ['packages/client/test/**/*.test.ts'] } },
  { extends: true, test: { name: 'examples', include: ['examples/*/test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
] satisfies TestProjectConfiguration[];
