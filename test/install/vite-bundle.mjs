// Bundles one entry of the throwaway app with Vite (a production `vite build`, no config file) and
// prints JSON: the code, the modules in it with their minified size, Vite's warnings, or its errors.
// Run as a child process (node vite-bundle.mjs ENTRY, in the app's folder) so that the test runner's
// own Vite, environment and NODE_ENV stay out of it.
import { build } from 'vite';

const entry = process.argv[2];
const warnings = [];
const logger = {
  hasWarned: false,
  info() {},
  warn(message) { warnings.push(String(message)); },
  warnOnce(message) { warnings.push(String(message)); },
  error(message) { warnings.push(String(message)); },
  clearScreen() {},
  hasErrorLogged() { return false; },
};

try {
  const result = await build({
    root: process.cwd(),
    configFile: false,
    envDir: false,
    logLevel: 'warn',
    customLogger: logger,
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      rolldownOptions: { input: entry, onwarn: (warning) => warnings.push(String(warning.message ?? warning)) },
    },
  });
  const chunks = (Array.isArray(result) ? result : [result]).flatMap((output) => output.output).filter((item) => item.type === 'chunk');
  const modules = Object.fromEntries(chunks.flatMap((chunk) => Object.entries(chunk.modules).map(([id, info]) => [id, info.renderedLength])));
  console.log(JSON.stringify({ ok: true, code: chunks.map((chunk) => chunk.code).join('\n'), modules, warnings, errors: [] }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, code: '', modules: {}, warnings, errors: [String(error?.message ?? error).split('\n').slice(0, 6).join(' ')] }));
}
