// Type-checks code blocks of the docs with the workspace's TypeScript and tsconfig (`@ghost/*` are the
// sources, as in the tests), each block its own module, without writing a file.
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import type { CodeBlock } from './code-blocks.js';

/** One compile error, placed in the Markdown file. */
export interface DocError {
  doc: string;
  /** `docs/guides/chat.md:57:12 TS2304 Cannot find name 'x'.` */
  text: string;
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
  return {
    ...parsed.options,
    noEmit: true,
    // A guide may name a value it does not use again (`const detach = hub.attach(…)`): that is a
    // lesson, not dead code.
    noUnusedLocals: false,
    noUnusedParameters: false,
    // Every block is a module of its own, so two blocks may both declare `const hub`.
    moduleDetection: ts.ModuleDetectionKind.Force,
    jsx: ts.JsxEmit.ReactJSX,
  };
}

/**
 * Compiles `blocks` as one program; `prelude` (a global declaration file) gives fragments the names
 * they take for granted. Returns the errors of the blocks, each at its line in the Markdown file.
 */
export function compileBlocks(root: string, blocks: CodeBlock[], prelude?: string): DocError[] {
  const files = new Map(blocks.filter((b) => !b.skipped).map((b) => [b.file, b]));
  const preludeFile = join(root, '.docs-check', 'prelude.d.ts');
  const virtual = new Map<string, string>([...files].map(([file, block]) => [file, block.code]));
  if (prelude) virtual.set(preludeFile, prelude);

  const options = compilerOptions(root);
  const host = ts.createCompilerHost(options, true);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (path) => virtual.has(path) || fileExists.call(host, path);
  host.readFile = (path) => virtual.get(path) ?? readFile.call(host, path);
  host.directoryExists = (path) => [...virtual.keys()].some((file) => file.startsWith(`${path}/`)) || (directoryExists?.call(host, path) ?? true);
  host.getSourceFile = (path, language, onError, create) => {
    const text = virtual.get(path);
    return text === undefined ? getSourceFile.call(host, path, language, onError, create) : ts.createSourceFile(path, text, language, true);
  };

  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const errors: DocError[] = [];
  for (const [file, block] of files) {
    const source = program.getSourceFile(file)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const diagnostic of diagnostics) {
      const at = diagnostic.start === undefined ? { line: 0, character: 0 } : source.getLineAndCharacterOfPosition(diagnostic.start);
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
      errors.push({ doc: block.doc, text: `${block.doc}:${block.line + at.line}:${at.character + 1} TS${diagnostic.code} ${message}` });
    }
  }
  // Errors that belong to no block (a broken option, the prelude) would otherwise pass unseen.
  for (const diagnostic of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) {
    errors.push({ doc: '(program)', text: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ') });
  }
  if (prelude) {
    for (const diagnostic of program.getSemanticDiagnostics(program.getSourceFile(preludeFile))) {
      errors.push({ doc: '(prelude)', text: `${relative(root, preludeFile)} TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}` });
    }
  }
  return errors;
}
