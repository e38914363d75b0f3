// `npm run screenshots`: runs the examples' browser tests, which save what they see into the ignored
// .screenshots/ folder, then copies the ones the examples' READMEs show next to them. CI never runs
// this, so CI never changes a tracked file.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';

const shown = {
  'cursors-active-users.png': 'examples/cursors/screenshot.png',
  'chat.png': 'examples/chat/screenshot.png',
  'pubsub.png': 'examples/pubsub/screenshot.png',
};

const run = spawnSync('npx', ['vitest', 'run', '--project', 'examples'], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);
for (const [from, to] of Object.entries(shown)) {
  const source = `.screenshots/${from}`;
  if (!existsSync(source)) {
    console.error(`${source} is missing: did its browser test run? (it needs Chromium: apt-get install -y chromium)`);
    process.exit(1);
  }
  copyFileSync(source, to);
  console.log(`${to} refreshed`);
}
