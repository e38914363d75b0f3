// Builds every package from one root config: `npm run build` (tsup --config tsup.config.ts). Each
// package's `prepack` runs this config too, from its own folder: npm then names that package in
// `npm_package_name`, and only its builds run (packing six packages must not build everything six times).
// tsup looks for its config upward from the current folder and only sees the root package.json, so
// everything here is absolute and each package declares its own externals (see /work/shared/TOOLCHAIN.md).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

const root = fileURLToPath(new URL('.', import.meta.url));
const at = (path: string) => `${root}${path}`;

const names = ['protocol', 'server', 'client', 'testing', 'react'] as const;
type Name = (typeof names)[number];

// The dts step compiles each package on its own while the others build in parallel: it reads the
// sibling packages from their sources, never from a dist that may not exist yet.
const paths = Object.fromEntries(names.map((name) => [`@ghost/${name}`, [at(`packages/${name}/src/index.ts`)]]));

function dependenciesOf(name: Name): string[] {
  const pkg = JSON.parse(readFileSync(at(`packages/${name}/package.json`), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  return [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function build(name: Name): Options {
  return {
    name: `@ghost/${name}`,
    // The server's Redis adapter is its own entry (`@ghost/server/redis`), so only apps that import it load ioredis.
    // Its `browser` entry is what a browser bundle gets instead: a module that throws the fix.
    entry: {
      index: at(`packages/${name}/src/index.ts`),
      ...(name === 'server' && { redis: at('packages/server/src/redis.ts'), browser: at('packages/server/src/browser.ts') }),
    },
    outDir: at(`packages/${name}/dist`),
    tsconfig: at(`packages/${name}/tsconfig.json`),
    format: ['esm', 'cjs'],
    outExtension: ({ format }) => (format === 'cjs' ? { js: '.cjs', dts: '.d.cts' } : { js: '.js', dts: '.d.ts' }),
    // The client runs in browsers too: nothing Node-specific, and `isomorphic-ws` stays a bare import so
    // the app's bundler picks its browser build.
    platform: name === 'server' || name === 'testing' ? 'node' : 'neutral',
    target: 'es2022',
    // A package's own dependencies (and `pkg/sub` paths of them) plus its siblings are never inlined.
    external: [...dependenciesOf(name).map((dep) => new RegExp(`^${escape(dep)}(?:/|$)`)), /^@ghost\//],
    dts: {
      compilerOptions: {
        // tsup 8.5 injects `baseUrl`, which TypeScript 6 refuses without this (TS5101).
        ignoreDeprecations: '6.0',
        paths,
      },
    },
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: false,
    shims: false,
    removeNodeProtocol: false,
  };
}

// The protocol's ESM build keeps one file per module: a browser bundler then drops the zod schemas the
// client never uses (`sideEffects: false`). Bundled into one file, their top-level `z.object(...)` calls
// cannot be dropped, and the client's bundle grew from ~8 KB to ~100 KB gzip, zod and all.
function protocolBuilds(): Options[] {
  const base = build('protocol');
  return [
    { ...base, name: '@ghost/protocol esm', entry: [at('packages/protocol/src/*.ts')], format: ['esm'], bundle: false, clean: false },
    { ...base, name: '@ghost/protocol cjs', format: ['cjs'], clean: false },
  ];
}

// `ghost-hub` is a command, not a library: one ESM file, no types, and its dependencies (the server,
// ioredis) left to npm. Its bin is packages/hub/bin/ghost-hub.js, which loads this file once installed.
function hubBuild(): Options {
  return {
    name: '@ghost/hub',
    entry: { cli: at('packages/hub/src/cli.ts') },
    outDir: at('packages/hub/dist'),
    tsconfig: at('packages/hub/tsconfig.json'),
    format: ['esm'],
    platform: 'node',
    target: 'es2022',
    external: [/^@ghost\//, /^ioredis(?:\/|$)/],
    sourcemap: true,
    clean: true,
    splitting: false,
    shims: false,
    removeNodeProtocol: false,
  };
}

const all = [...names.flatMap((name) => (name === 'protocol' ? protocolBuilds() : [build(name)])), hubBuild()];
const packing = process.env.npm_package_name;
const only = all.filter((options) => options.name === packing || options.name?.startsWith(`${packing} `));

export default defineConfig(only.length > 0 ? only : all);
