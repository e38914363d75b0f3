// `npm run pack:all`: packs every publishable package into ./packed/, as `npm publish` would (each
// package's `prepack` builds its dist first), so an app can install Ghost from a clone before the
// packages are on npm. Prints the tarballs and the install line for another app.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const destination = join(root, 'packed');
const read = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'));

// The publishable packages: every workspace under packages/ that is not private.
const workspaces = read('package.json').workspaces.filter((dir) => dir.startsWith('packages/'));
const names = workspaces.map((dir) => read(`${dir}/package.json`)).filter((pkg) => !pkg.private).map((pkg) => pkg.name);

// Tarballs of an older version would sit beside the new ones and be installed by a glob.
rmSync(destination, { recursive: true, force: true });
mkdirSync(destination);
const packed = spawnSync('npm', ['pack', '--pack-destination', destination, ...names.flatMap((name) => ['--workspace', name])], {
  cwd: root,
  stdio: 'inherit',
});
if (packed.status !== 0) process.exit(packed.status ?? 1);

const tarballs = readdirSync(destination).filter((file) => file.endsWith('.tgz')).sort();
if (tarballs.length !== names.length) {
  console.error(`Expected ${names.length} tarballs in ${destination}, found ${tarballs.length}: ${tarballs.join(', ')}`);
  process.exit(1);
}
console.log(`\nPacked ${tarballs.length} packages into ${relative(process.cwd(), destination) || '.'}/:\n${tarballs.map((file) => `  ${file}`).join('\n')}`);
console.log(`\nIn your app (a hub and a client need protocol, server and client):\n  npm install ${join(destination, 'ghost-{protocol,server,client}-*.tgz')}`);
