// Type-checks code blocks of the docs with the workspace's TypeScript and tsconfig (`@ghost/*` are the
// sources, as in the tests), each block its own module, without writing a file.
import { dirname, join } from 'node:path';
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
 * Compiles `blocks` as one program, each block a module of its own. A block's assumptions (names of
 * `assumable`, a one-line declaration each) are put on one line in front of its code, so its errors
 * keep their lines in the Markdown file; a name `assumable` does not know, or that the block never
 * uses, is an error of the block.
 */
export function compileBlocks(root: string, blocks: CodeBlock[], assumable: Readonly<Record<string, string>>): DocError[] {
  const errors: DocError[] = [];
  const files = new Map(blocks.filter((b) => !b.skipped).map((b) => [b.file, b]));
  const virtual = new Map<string, string>();
  const offset = new Map<string, number>();
  for (const [file, block] of files) {
    for (const name of block.assumes) {
      if (!(name in assumable)) errors.push({ doc: block.doc, text: `${block.doc}:${block.line - 1} assumes "${name}", which the docs test does not know (test/docs/assumptions.ts)` });
      else if (!new RegExp(`\\b${name}\\b`).test(block.code)) errors.push({ doc: block.doc, text: `${block.doc}:${block.line - 1} assumes "${name}" but never uses it` });
    }
    const declarations = block.assumes.filter((name) => name in assumable).map((name) => assumable[name]);
    virtual.set(file, declarations.length === 0 ? block.code : `${declarations.join(' ')}\n${block.code}`);
    offset.set(file, declarations.length === 0 ? 0 : 1);
  }

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
  for (const [file, block] of files) {
    const source = program.getSourceFile(file)!;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    for (const diagnostic of diagnostics) {
      const at = diagnostic.start === undefined ? { line: 0, character: 0 } : source.getLineAndCharacterOfPosition(diagnostic.start);
      const line = at.line - offset.get(file)!;
      const where = line < 0 ? `${block.doc}:${block.line - 1} (its assumptions)` : `${block.doc}:${block.line + line}:${at.character + 1}`;
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
      errors.push({ doc: block.doc, text: `${where} TS${diagnostic.code} ${message}` });
    }
  }
  // Errors that belong to no block (a broken option) would otherwise pass unseen.
  for (const diagnostic of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) {
    errors.push({ doc: '(program)', text: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ') });
  }
  return errors;
}
