#!/usr/bin/env node
// The `ghost-hub` command. Installed from npm, it runs the build (dist/cli.js). In a clone of the Ghost
// repository the sources sit beside it: it runs them through tsx (a devDependency of the repository),
// so `npx ghost-hub` works right after `npm install`, before any build, and runs the code you see.
// Same process either way, so SIGTERM reaches the hub's drain directly.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sources = new URL('../src/cli.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  // The hub's tsconfig maps @ghost/* to the workspace sources: no package needs a dist.
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  await import(sources.href);
} else {
  await import('../dist/cli.js');
}
