// Release basics that a user of the published packages would notice when they drift: the @ghost/*
// packages carry one version and depend on each other at exactly that version (so `npm install
// @ghost/server @ghost/client` never mixes two protocol builds), and each ships what npm shows.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, any>;

const rootPackage = readJson('package.json');
const packages = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, pkg: readJson(`packages/${dir}/package.json`) }))
  .filter(({ pkg }) => typeof pkg.name === 'string' && pkg.name.startsWith('@ghost/') && pkg.private !== true);
const version = readJson('packages/protocol/package.json').version as string;

describe('the @ghost/* packages move together', () => {
  it('there are packages to check', () => {
    expect(packages.map(({ pkg }) => pkg.name)).toEqual(expect.arrayContaining(['@ghost/protocol', '@ghost/server', '@ghost/client', '@ghost/testing']));
  });

  it.each(packages)('$pkg.name has the shared version', ({ pkg }) => {
    expect(pkg.version).toBe(version);
  });

  it.each(packages)('$pkg.name depends on its siblings at exactly that version', ({ pkg }) => {
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const [name, range] of Object.entries((pkg[field] ?? {}) as Record<string, string>)) {
        if (name.startsWith('@ghost/')) expect(range, `${pkg.name} ${field} ${name}`).toBe(version);
      }
    }
  });

  it.each(packages)('$pkg.name is publishable as the others: MIT, engines, files, LICENSE and README', ({ dir, pkg }) => {
    expect(pkg.license).toBe('MIT');
    expect(pkg.engines?.node).toBe(rootPackage.engines.node);
    expect(pkg.files).toContain('dist');
    expect(pkg.publishConfig?.access).toBe('public');
    // A library has typed ESM and CJS entries; a command-line package (@ghost/hub) has its bin.
    if (pkg.exports) {
      expect(pkg.exports['.']?.import?.types).toBeTypeOf('string');
      expect(pkg.exports['.']?.require?.types).toBeTypeOf('string');
    } else {
      expect(Object.keys(pkg.bin ?? {}).length).toBeGreaterThan(0);
    }
    expect(readFileSync(join(root, 'packages', dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    expect(readFileSync(join(root, 'packages', dir, 'README.md'), 'utf8')).toMatch(new RegExp(`^# ${pkg.name}\\n`));
  });

  it.each(packages)('$pkg.name is a workspace, and CI dry-runs its publish', ({ dir, pkg }) => {
    expect(rootPackage.workspaces).toContain(`packages/${dir}`);
    const ci = readFileSync(join(root, '.ci/run'), 'utf8');
    expect(ci).toMatch(new RegExp(`npm publish --dry-run[^\\n]*--workspace ${pkg.name}(\\s|$)`));
  });

  it('the changelog has a section for the version', () => {
    expect(readFileSync(join(root, 'CHANGELOG.md'), 'utf8')).toMatch(new RegExp(`^## ${version.replace(/\./g, '\\.')}\\b`, 'm'));
  });
});
