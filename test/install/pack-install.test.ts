// "Installs as published": packs the packages with `npm run pack:all` (each package's prepack builds
// it), installs the tarballs with the getting-started guide's line into a throwaway app OUTSIDE the
// workspace (in os.tmpdir(), so nothing resolves through the workspace's node_modules or tsconfig
// paths) and uses them the way an app would:
// - each tarball holds dist, LICENSE and README.md, and nothing else of the sources;
// - ESM `import` and CJS `require` in Node of every library package, end to end (a hub on node:http, a
//   client gets a topic message; @ghost/react's hooks load beside React);
// - `@ghost/server` works with ioredis absent, loads ioredis only through `@ghost/server/redis`;
// - the types resolve under moduleResolution node16 (ESM and CJS files) and bundler, with the
//   workspace's TypeScript and with older 5.x releases installed into the temp dir;
// - a user's own tests written with `@ghost/testing` pass under `node --test`;
// - the `@ghost/hub` tarball, in an app of its own, gives a working `npx ghost-hub`;
// - the client bundles for the browser with esbuild and with Vite, without `ws` or Node built-ins,
//   within its size budget, and the bundle works in Chromium against a real hub;
// - `@ghost/server` in a browser bundle: the bundle throws, at load, a message that names the fix.
// It needs the npm registry for the packages' own dependencies, and Chromium for the page checks (they
// skip without it, and fail under CI=true). A summary of every check is printed at the end (and written
// to $TMPDIR/ghost-install-summary.txt). KEEP_INSTALL_APPS=1 keeps the temp folder for a look afterwards.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestHub, waitFor } from '@ghost/testing';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { PROTOCOL_VERSION } from '@ghost/protocol';
import {
  browserClient, browserServer, configName, kitTest, smoke, tsconfig, typesCjs, typesEsm, typesRedis, TYPE_CHECKS, type Smoke,
} from './app-files.js';
import { bundleWithEsbuild, bundleWithVite, gzipped, type Bundle } from './bundle.js';
import { closeChromium, hasChromium, inCI, MISSING, pageWith, runInChromium } from './chromium.js';
import { collectLines } from '../helpers/lines.js';
import { cleanEnv, firstLines, kb, must, run } from './run.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The libraries; `hub` is the ghost-hub command. */
const names = ['protocol', 'server', 'client', 'testing', 'react', 'hub'] as const;
const libraries = names.filter((name) => name !== 'hub');
type Name = (typeof names)[number];
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
/** What a React app has anyway, for `@ghost/react` (its peer dependency). */
const REACT = rootPackage.devDependencies.react!;
const serverPackage = JSON.parse(readFileSync(join(root, 'packages/server/package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const versionOf = (pkg: string) => (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
const workspaceTs = versionOf('typescript');
/**
 * Older TypeScript releases tried against the installed types, each installed into the temp dir, and
 * what each must pass: `strict` (skipLibCheck false) or `skipLibCheck` (zod 4's types use `NoInfer`,
 * which TypeScript has since 5.4, so older ones need skipLibCheck).
 */
const OLDER_TS = { '5.0.4': 'skipLibCheck', '5.4.5': 'strict' } as const;
/** The browser bundle budget of the client, as in packages/client/test/size.test.ts (min+gzip, level 9). */
const CLIENT_BUDGET = 10 * 1024;
/** What a browser bundle of `@ghost/server` must say when it loads (packages/server/src/browser.ts). */
const SERVER_IN_BROWSER = /@ghost\/server runs on Node\.js .*import \{ createClient \} from "@ghost\/client"/;

const summary: string[] = [];
const note = (line: string) => summary.push(line);

let work = '';
let app = '';
const tarballs = {} as Record<Name, string>;

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

async function runSmoke(kind: 'esm' | 'cjs'): Promise<Smoke> {
  const result = await must(process.execPath, [kind === 'esm' ? 'smoke.mjs' : 'smoke.cjs'], app, 30_000);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Smoke;
}

interface TypeResult {
  name: string;
  ok: boolean;
  errors: string;
}

/**
 * Runs one tsc binary over both module resolutions: strict (skipLibCheck false, which also checks
 * the dependencies' .d.ts), and only when that fails, as most apps do (skipLibCheck true).
 */
async function typecheck(tscBin: string): Promise<TypeResult[]> {
  const results: TypeResult[] = [];
  for (const { kind } of TYPE_CHECKS) {
    for (const skipLibCheck of [false, true]) {
      const result = await run(process.execPath, [tscBin, '-p', configName(kind, skipLibCheck)], app, 120_000);
      const errors = (result.stdout + result.stderr).split('\n').filter((line) => /error TS/.test(line));
      results.push({ name: `${kind}${skipLibCheck ? ' skipLibCheck' : ''}`, ok: result.code === 0, errors: errors.slice(0, 2).join(' | ') + (errors.length > 2 ? ` | … ${errors.length} errors` : '') });
      if (result.code === 0) break;
    }
  }
  return results;
}

/** Whether every module resolution passed, strictly or at least with skipLibCheck. */
const passed = (results: TypeResult[], strict: boolean) =>
  TYPE_CHECKS.every(({ kind }) => results.some((r) => r.ok && (r.name === kind || (!strict && r.name === `${kind} skipLibCheck`))));
const describeTypes = (results: TypeResult[]) => results.map((r) => `${r.name} ${r.ok ? 'ok' : `FAILED (${r.errors})`}`).join('; ');

/** Without Chromium the page checks skip, saying what to install; under CI=true they fail. */
function needChromium(context: TestContext): void {
  if (hasChromium) return;
  if (!inCI) context.skip(MISSING);
  throw new Error(MISSING);
}

const BUNDLERS = {
  esbuild: { bundle: bundleWithEsbuild, version: () => versionOf('esbuild') },
  Vite: { bundle: bundleWithVite, version: () => versionOf('vite') },
} as const;

describe('installs as published (npm pack → fresh app in os.tmpdir())', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ghost-install-'));
    app = join(work, 'app');
    mkdirSync(app);

    // The documented way to install from a clone: `npm run pack:all` (each package's prepack builds it),
    // then the install line of docs/guides/getting-started.md, then the other tarballs.
    const packed = await must('npm', ['run', 'pack:all'], root, 600_000);
    note(`pack: npm run pack:all (a prepack build per package) ok in ${(packed.ms / 1000).toFixed(1)} s`);
    const files = readdirSync(join(root, 'packed'));
    for (const name of names) {
      const file = files.find((f) => f.startsWith(`ghost-${name}-`) && f.endsWith('.tgz'));
      if (!file) throw new Error(`npm run pack:all left no ghost-${name}-*.tgz in packed/ (${files.join(', ')})`);
      tarballs[name] = join(root, 'packed', file);
      const listed = await must('tar', ['-tzf', tarballs[name]], root);
      note(`pack: ${file}: ${kb(statSync(tarballs[name]).size)}, ${listed.stdout.split('\n').filter((p) => p && !p.endsWith('.map')).map((p) => p.replace(/^package\//, '')).join(', ')}`);
    }

    write(app, {
      'package.json': JSON.stringify({
        name: 'ghost-install-check',
        private: true,
        version: '0.0.0',
        type: 'module',
        dependencies: {
          // What an app of the typed-schemas guide has anyway.
          zod: serverPackage.dependencies.zod,
          react: REACT,
        },
        devDependencies: { '@types/node': rootPackage.devDependencies['@types/node'] },
      }, null, 2),
      'smoke.mjs': smoke('esm'),
      'smoke.cjs': smoke('cjs'),
      'kit.test.mjs': kitTest('esm'),
      'kit.test.cjs': kitTest('cjs'),
      'types-esm.ts': typesEsm,
      'types-cjs.cts': typesCjs,
      'types-redis.ts': typesRedis,
      ...Object.fromEntries(TYPE_CHECKS.flatMap(({ kind, files }) =>
        [false, true].map((skip) => [configName(kind, skip), tsconfig(kind, [...files], skip)]))),
      'browser-client.js': browserClient,
      'browser-server.js': browserServer,
    });
    // Word for word the guide's line (a shell expands the braces and the glob): the server and client
    // tarballs install without asking the registry for @ghost/protocol, which is not on it.
    const installed = await must('bash', ['-c', `npm install --no-audit --no-fund ${join(root, 'packed')}/ghost-{protocol,server,client}-*.tgz`], app, 240_000);
    note(`install: fresh app in ${app}: the guide's line installed protocol, server and client in ${(installed.ms / 1000).toFixed(1)} s (${firstLines(installed.stdout, 1)})`);
    const rest = libraries.filter((name) => !['protocol', 'server', 'client'].includes(name));
    const more = await must('npm', ['install', '--no-audit', '--no-fund', ...rest.map((name) => tarballs[name])], app, 240_000);
    note(`install: then ${rest.join(', ')} in ${(more.ms / 1000).toFixed(1)} s`);
  }, 600_000);

  afterAll(async () => {
    await closeChromium();
    const text = summary.join('\n');
    console.log(`\n--- install checks ---\n${text}\n`);
    writeFileSync(join(tmpdir(), 'ghost-install-summary.txt'), `${text}\n`);
    if (work && !process.env.KEEP_INSTALL_APPS) rmSync(work, { recursive: true, force: true });
  });

  it('packs dist, LICENSE and README.md: ESM, CJS and both kinds of .d.ts per entry, no sources or tests', async () => {
    for (const name of libraries) {
      const listed = await must('tar', ['-tzf', tarballs[name]], work);
      const files = listed.stdout.split('\n').filter(Boolean);
      const entries = name === 'server' ? ['index', 'redis'] : ['index'];
      for (const entry of entries) {
        for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expect(files, `${name}: dist/${entry}.${ext}`).toContain(`package/dist/${entry}.${ext}`);
      }
      if (name === 'server') expect(files).toContain('package/dist/browser.cjs');
      for (const file of ['package.json', 'LICENSE', 'README.md']) expect(files, `@ghost/${name}: ${file}`).toContain(`package/${file}`);
      expect(files.filter((file) => /^package\/(src|test)\//.test(file))).toEqual([]);
      const license = readFileSync(join(app, 'node_modules/@ghost', name, 'LICENSE'), 'utf8');
      expect(license).toMatch(/^MIT License/);
    }
    note(`pack: every tarball holds LICENSE (MIT) and README.md beside dist`);
  });

  it('the ghost-hub tarball, installed on its own, runs as `npx ghost-hub`: usage, health, a drain on SIGTERM', async () => {
    // Its own folder: @ghost/hub depends on ioredis, which the app above must not have.
    const hubApp = join(work, 'hub-app');
    mkdirSync(hubApp);
    writeFileSync(join(hubApp, 'package.json'), '{ "name": "ghost-hub-install-check", "private": true }');
    await must('bash', ['-c', `npm install --no-audit --no-fund ${join(root, 'packed')}/ghost-{protocol,server,hub}-*.tgz`], hubApp, 240_000);
    const help = await must('npx', ['--no-install', 'ghost-hub', '--help'], hubApp, 30_000);
    expect(help.stdout).toContain('Usage: ghost-hub [options]');

    // The linked bin itself, not npx: SIGTERM then reaches the hub's process.
    const child = spawn(join(hubApp, 'node_modules/.bin/ghost-hub'), ['--port', '0', '--host', '127.0.0.1'], { cwd: hubApp, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: string[] = [];
    const stderr: string[] = [];
    collectLines(child.stdout!, stdout);
    collectLines(child.stderr!, stderr);
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      const listening = await waitFor(() => stdout.map((line) => JSON.parse(line) as { event: string; port?: number }).find((line) => line.event === 'listening'),
        { timeoutMs: 15_000, what: `ghost-hub to listen (stderr: ${stderr.join('\n')})` });
      expect((await fetch(`http://127.0.0.1:${listening.port}/healthz`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      note(`ghost-hub: installed from the protocol, server and hub tarballs; npx ghost-hub --help ok; served /healthz on port ${listening.port}; SIGTERM → exit 0`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 300_000);

  it('does not install the optional peer ioredis', () => {
    expect(existsSync(join(app, 'node_modules/ioredis'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/@ghost/server/dist/index.js'))).toBe(true);
  });

  it('ESM import works end to end in Node, without ioredis installed', async () => {
    const result = await runSmoke('esm');
    expect(result).toMatchObject({ protocolVersion: PROTOCOL_VERSION, versionMismatch: 4006, testKit: 'function', reactHooks: 'function,function,function', received: { headline: 'hello' }, ioredisModulesAfterServer: 0, redis: 'error' });
    expect(result.redisError).toMatch(/ioredis/);
    note(`node ESM: import of all ${libraries.length} libraries ok; hub on node:http + client got a topic message; @ghost/server works without ioredis; import('@ghost/server/redis') without it fails: "${result.redisError}"`);
  });

  it('CJS require works end to end in Node, without ioredis installed', async () => {
    const result = await runSmoke('cjs');
    expect(result).toMatchObject({ protocolVersion: PROTOCOL_VERSION, versionMismatch: 4006, testKit: 'function', reactHooks: 'function,function,function', received: { headline: 'hello' }, ioredisModulesAfterServer: 0, redis: 'error' });
    expect(result.redisError).toMatch(/ioredis/);
    note(`node CJS: require of all ${libraries.length} libraries ok; same end-to-end check; require('@ghost/server/redis') without ioredis fails: "${result.redisError}"`);
  });

  it("a user's tests written with @ghost/testing pass under node --test (ESM and CJS)", async () => {
    const result = await run(process.execPath, ['--test', '--test-reporter=tap', 'kit.test.mjs', 'kit.test.cjs'], app, 60_000);
    const count = (what: string) => Number(new RegExp(`^# ${what} (\\d+)`, 'm').exec(result.stdout)?.[1] ?? -1);
    expect({ code: result.code, pass: count('pass'), fail: count('fail') }, result.stdout + result.stderr).toEqual({ code: 0, pass: 4, fail: 0 });
    note(`test kit: node --test kit.test.mjs kit.test.cjs: ${count('pass')} passed, ${count('fail')} failed (startTestHub, connect, waitFor, t.after cleanup, a refusal)`);
  });

  it('with ioredis installed, only @ghost/server/redis loads it (ESM and CJS)', async () => {
    const version = serverPackage.peerDependencies.ioredis!.replace(/^\^/, '');
    const installed = await must('npm', ['install', '--no-audit', '--no-fund', `ioredis@${version}`], app, 240_000);
    for (const kind of ['esm', 'cjs'] as const) {
      const result = await runSmoke(kind);
      expect(result.received).toEqual({ headline: 'hello' });
      expect(result.ioredisModulesAfterServer, `${kind}: @ghost/server loaded ioredis`).toBe(0);
      expect(result.redis).toBe('function');
      expect(result.ioredisModulesAfterRedis, `${kind}: the check sees ioredis once it is loaded`).toBeGreaterThan(0);
    }
    note(`ioredis: installed ioredis@${version} (${(installed.ms / 1000).toFixed(1)} s); ESM and CJS: require.cache holds 0 ioredis files after @ghost/server, >0 after @ghost/server/redis (redisAdapter is a function)`);
  });

  it(`types resolve under node16 (ESM .ts and CJS .cts) and bundler with TypeScript ${workspaceTs}`, async () => {
    const results = await typecheck(tsc);
    note(`types, TypeScript ${workspaceTs}: ${describeTypes(results)}`);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  }, 240_000);

  it(`types with older TypeScript: ${Object.entries(OLDER_TS).map(([v, mode]) => `${v} (${mode})`).join(', ')}`, async () => {
    // Installed side by side (in parallel), checked one after the other.
    const installs = await Promise.all(Object.keys(OLDER_TS).map(async (version) => {
      const dir = join(work, `ts-${version}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), '{ "name": "ts-holder", "private": true }');
      const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', `typescript@${version}`], dir, 240_000);
      return { version, bin: join(dir, 'node_modules/typescript/bin/tsc'), error: installed.code === 0 ? undefined : firstLines(installed.stderr, 2) };
    }));
    const outcomes: { version: keyof typeof OLDER_TS; strict: boolean; loose: boolean; installed: boolean }[] = [];
    for (const { version, bin, error } of installs as { version: keyof typeof OLDER_TS; bin: string; error: string | undefined }[]) {
      if (error) {
        note(`types, TypeScript ${version}: not installed (${error})`);
        outcomes.push({ version, strict: false, loose: false, installed: false });
        continue;
      }
      const results = await typecheck(bin);
      outcomes.push({ version, strict: passed(results, true), loose: passed(results, false), installed: true });
      note(`types, TypeScript ${version}: ${describeTypes(results)}`);
    }
    const oldest = (strict: boolean) => outcomes.find((o) => (strict ? o.strict : o.loose))?.version ?? 'none of them';
    note(`types: oldest TypeScript checked that passes: ${oldest(true)} with skipLibCheck false, ${oldest(false)} with skipLibCheck true`);
    for (const outcome of outcomes) {
      if (!outcome.installed) continue; // the registry could not be reached: reported, not failed
      expect(OLDER_TS[outcome.version] === 'strict' ? outcome.strict : outcome.loose, `TypeScript ${outcome.version} (${OLDER_TS[outcome.version]})`).toBe(true);
    }
  }, 400_000);

  describe.each(Object.keys(BUNDLERS) as (keyof typeof BUNDLERS)[])('in a browser bundle made with %s', (bundler) => {
    const { bundle, version } = BUNDLERS[bundler];
    let client: Bundle | undefined;
    let server: Bundle | undefined;

    it(`the client bundles without ws or Node built-ins, within ${CLIENT_BUDGET} B min+gzip`, async () => {
      client = await bundle(app, 'browser-client.js');
      expect(client.errors).toEqual([]);
      const size = gzipped(client.code);
      const parts = client.bytesByPackage.map(([name, bytes]) => `${name} ${kb(bytes)}`).join(', ');
      note(`browser, ${bundler} ${version()}, @ghost/client from its tarball: ${kb(client.code.length)} min, ${kb(size)} min+gzip (level 9); Node built-ins: ${client.nodeBuiltins.length}; ws files: ${client.resolved.filter((p) => /node_modules\/ws\//.test(p)).length}; ${bundler === 'Vite' ? 'bytes by package before minification' : 'minified bytes by package'}: ${parts}`);
      expect(client.nodeBuiltins).toEqual([]);
      expect(client.resolved.filter((path) => /node_modules\/ws\//.test(path))).toEqual([]);
      expect(client.modules.some((path) => path.endsWith('isomorphic-ws/browser.js'))).toBe(true);
      expect(client.modules.filter((path) => /node_modules\/zod\//.test(path))).toEqual([]);
      expect(size).toBeGreaterThan(1000);
      expect(size).toBeLessThanOrEqual(CLIENT_BUDGET);
    });

    it('the client bundle connects from Chromium to a real hub and receives a publish', async (context) => {
      needChromium(context);
      expect(client?.ok).toBe(true);
      const kit = await startTestHub({}, { handler: pageWith(client!.code) });
      try {
        const page = runInChromium(`http://127.0.0.1:${kit.port}/`, 'window.__seen.length > 0');
        await waitFor(() => kit.hub.stats().topics === 1, { timeoutMs: 10_000, what: "the page's subscription" });
        await kit.hub.publish('news', { headline: `from the hub to a ${bundler} bundle` });
        const { errors, seen } = await page;
        expect(errors).toEqual([]);
        expect(seen).toEqual([{ headline: `from the hub to a ${bundler} bundle` }]);
        note(`browser, ${bundler}: the client bundle, loaded in Chromium, connected to a hub and received a publish`);
      } finally {
        await kit.close();
      }
    });

    it('@ghost/server bundles to a module that throws, at load, why and what to use instead', async () => {
      server = await bundle(app, 'browser-server.js');
      expect(server.errors).toEqual([]);
      expect(server.modules.some((path) => path.endsWith('@ghost/server/dist/browser.cjs'))).toBe(true);
      expect(server.nodeBuiltins).toEqual([]);
      expect(server.modules.filter((path) => /node_modules\/(ws|zod)\//.test(path))).toEqual([]);
      expect(server.code).toMatch(SERVER_IN_BROWSER);
    });

    it('@ghost/server: the page that loads that bundle gets the error in Chromium', async (context) => {
      needChromium(context);
      expect(server?.ok).toBe(true);
      const kit = await startTestHub({}, { handler: pageWith(server!.code) });
      const { errors } = await runInChromium(`http://127.0.0.1:${kit.port}/`).finally(kit.close);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(SERVER_IN_BROWSER);
      note(`browser, ${bundler}, @ghost/server: bundles (${server!.code.length} B, its "browser" export) and the page throws at load: "${errors[0]}"`);
    });
  });
});
