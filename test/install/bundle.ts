// The browser bundlers an app would use, run on an entry of the throwaway app: esbuild (in process)
// and Vite (as a child process, see vite-bundle.mjs). Both report the same facts.
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BROWSER_BUILD } from '../helpers/browser-bundle.js';
import { run } from './run.js';

/** What bundling one entry for the browser gave. */
export interface Bundle {
  bundler: 'esbuild' | 'Vite';
  ok: boolean;
  code: string;
  /** The modules whose code is in the bundle (paths as the bundler names them). */
  modules: string[];
  /** Every module the bundler read, including those tree-shaking then dropped entirely. */
  resolved: string[];
  /** Minified bytes per npm package (or file outside node_modules), largest first. */
  bytesByPackage: [string, number][];
  /** Node built-ins the bundle pulled in: esbuild fails on them, Vite swaps in an empty stub and warns. */
  nodeBuiltins: string[];
  errors: string[];
  warnings: string[];
}

const isNodeBuiltin = (path: string) => path.startsWith('node:') || builtinModules.includes(path.split('/')[0]!);
const packageOf = (path: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? path.split('/').pop()!;

function byPackage(sizes: [string, number][]): [string, number][] {
  const totals = new Map<string, number>();
  for (const [path, bytes] of sizes) totals.set(packageOf(path), (totals.get(packageOf(path)) ?? 0) + bytes);
  return [...totals].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
}

/** esbuild, `platform: 'browser'`, minified ESM: what `npx esbuild page.ts --bundle` in the guide does. */
export async function bundleWithEsbuild(app: string, entry: string): Promise<Bundle> {
  try {
    const result = await build({ ...BROWSER_BUILD, entryPoints: [join(app, entry)], absWorkingDir: app, metafile: true });
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    const output = Object.values(result.metafile.outputs)[0]!;
    return {
      bundler: 'esbuild',
      ok: true,
      code: result.outputFiles[0]!.text,
      modules: Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path),
      resolved: Object.keys(result.metafile.inputs),
      bytesByPackage: byPackage(Object.entries(output.inputs).map(([path, input]) => [path, input.bytesInOutput])),
      nodeBuiltins: imports.filter(isNodeBuiltin),
      errors: [],
      warnings: result.warnings.map((w) => w.text),
    };
  } catch (error) {
    type Message = { text: string; location?: { file: string } | null; notes?: { text: string }[] };
    const errors = (error as { errors?: Message[] }).errors ?? [{ text: String(error) }];
    const texts = errors.map((e) => `${e.location?.file ?? ''}: ${e.text}${e.notes?.length ? ` (${e.notes.map((n) => n.text).join(' ')})` : ''}`);
    const builtins = errors.flatMap((e) => /Could not resolve "([^"]+)"/.exec(e.text)?.[1] ?? []).filter(isNodeBuiltin);
    return { bundler: 'esbuild', ok: false, code: '', modules: [], resolved: [], bytesByPackage: [], nodeBuiltins: builtins, errors: texts, warnings: [] };
  }
}

const viteScript = fileURLToPath(new URL('./vite-bundle.mjs', import.meta.url));

/** A production `vite build` of the entry with no config file, as a Vite app bundles its imports. */
export async function bundleWithVite(app: string, entry: string): Promise<Bundle> {
  const result = await run(process.execPath, [viteScript, entry], app, 120_000);
  const last = result.stdout.trim().split('\n').pop() ?? '';
  let parsed: { ok: boolean; code: string; modules: Record<string, number>; warnings: string[]; errors: string[] };
  try {
    parsed = JSON.parse(last) as typeof parsed;
  } catch {
    return { bundler: 'Vite', ok: false, code: '', modules: [], resolved: [], bytesByPackage: [], nodeBuiltins: [], errors: [`vite-bundle.mjs exited ${result.code}: ${result.stderr.slice(0, 500)}`], warnings: [] };
  }
  // Vite resolves a Node built-in to its `__vite-browser-external` stub and says so in a warning.
  const externalized = parsed.warnings.flatMap((w) => /Module "([^"]+)" has been externalized for browser compatibility/.exec(w)?.[1] ?? []);
  const stubbed = Object.keys(parsed.modules).some((id) => id.includes('__vite-browser-external'));
  return {
    bundler: 'Vite',
    ok: parsed.ok,
    code: parsed.code,
    modules: Object.entries(parsed.modules).filter(([, bytes]) => bytes > 0).map(([id]) => id),
    resolved: Object.keys(parsed.modules),
    bytesByPackage: byPackage(Object.entries(parsed.modules)),
    nodeBuiltins: externalized.length > 0 ? externalized : stubbed ? ['(__vite-browser-external)'] : [],
    errors: parsed.errors,
    warnings: parsed.warnings,
  };
}

/** Bytes after gzip at level 9, as the client's size budget counts them. */
export const gzipped = (code: string) => gzipSync(code, { level: 9 }).length;
