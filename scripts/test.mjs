// `npm test`: runs every vitest project but the soaks, then prints the plain "N passed, N failed" line
// CI reads, and fails when a test failed or when none ran at all.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const report = '.vitest.json';
rmSync(report, { force: true });
const extra = process.argv.slice(2);
// The soaks are `npm run test:soak`. Vitest runs a project that any --project filter matches, so the
// exclusion goes only where the caller chose no project: `npm test -- --project client` stays the client's.
const projects = extra.some((arg) => arg === '--project' || arg.startsWith('--project=')) ? [] : ['--project=!soak'];
const args = ['vitest', 'run', ...projects, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra];
const run = spawnSync('npx', args, { stdio: 'inherit' });

let summary;
try {
  summary = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  console.log('0 passed, 0 failed');
  console.error('vitest wrote no report: it did not run');
  process.exit(run.status || 1);
}
const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTotalTests: total } = summary;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (total === 0 || passed === 0) {
  console.error('No test ran: that is a failure, not a pass.');
  process.exit(1);
}
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
