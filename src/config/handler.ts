/**
 * Where a function's `Handler` points, read as Lambda's own runtimes read it, so that a handler
 * that loads here loads in Lambda and the reverse:
 * - Node.js (aws-lambda-nodejs-runtime-interface-client, UserFunction): the part after the last
 *   `/` splits at its FIRST dot into the module and the export path (`index.handlers.main` is
 *   export `handlers.main` of `index`); the module file is tried as written, then `.js`, `.mjs`,
 *   `.cjs`. A handler with `..` is refused (the runtime refuses relative paths out of the task root).
 * - Python (awslambdaric bootstrap): the handler splits at its LAST dot into the module and the
 *   function (`pkg.app.handler` is `handler` of `pkg/app.py`); the module is imported from the
 *   code folder, as a `.py` file or a package's `__init__.py`.
 * Lambda's Handler field: at most 128 characters, no white space (CreateFunction's pattern `[^\s]+`).
 */
import { join } from 'node:path';
import { isFile } from './checks.js';

export type HandlerLocation =
  | { readonly ok: true; readonly file: string; readonly exportPath: readonly string[] }
  | { readonly ok: false; readonly syntax: boolean; readonly message: string };

const MAX_HANDLER_CHARS = 128;
const JS_IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const PY_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The order the Node.js runtime interface client tries (extensionless first). */
const NODE_EXTENSIONS = ['', '.js', '.mjs', '.cjs'];

/** The language of a runtime identifier, or undefined for one that is neither. */
export function runtimeLanguage(runtime: string): 'node' | 'python' | undefined {
  if (runtime.startsWith('nodejs')) return 'node';
  if (runtime.startsWith('python')) return 'python';
  return undefined;
}

/** The file and export a handler names inside the absolute folder `codeUri`. */
export function locateHandler(codeUri: string, handler: string, language: 'node' | 'python'): HandlerLocation {
  const syntax = (message: string): HandlerLocation => ({ ok: false, syntax: true, message });
  if (handler.length === 0 || handler.length > MAX_HANDLER_CHARS) return syntax(`must be 1 to ${MAX_HANDLER_CHARS} characters`);
  if (/\s/.test(handler)) return syntax('must not contain white space');
  if (handler.startsWith('/') || handler.split('/').includes('..')) return syntax('must name a file inside CodeUri (no absolute path, no "..")');
  return language === 'node' ? locateNodeHandler(codeUri, handler, syntax) : locatePythonHandler(codeUri, handler, syntax);
}

function locateNodeHandler(codeUri: string, handler: string, syntax: (message: string) => HandlerLocation): HandlerLocation {
  const slash = handler.lastIndexOf('/');
  const folder = handler.slice(0, slash + 1);
  const base = handler.slice(slash + 1);
  const dot = base.indexOf('.');
  const module = dot < 0 ? '' : base.slice(0, dot);
  const exportPath = dot < 0 ? [] : base.slice(dot + 1).split('.');
  if (module === '' || exportPath.length === 0 || !exportPath.every((name) => JS_IDENTIFIER.test(name))) {
    return syntax('must be written file.export, e.g. "index.handler" or "src/orders.process"');
  }
  const stem = join(codeUri, folder, module);
  for (const extension of NODE_EXTENSIONS) {
    if (isFile(stem + extension)) return { ok: true, file: stem + extension, exportPath };
  }
  return { ok: false, syntax: false, message: `names a file that does not exist: ${stem}.mjs, .js or .cjs` };
}

function locatePythonHandler(codeUri: string, handler: string, syntax: (message: string) => HandlerLocation): HandlerLocation {
  const dot = handler.lastIndexOf('.');
  const moduleName = dot < 0 ? '' : handler.slice(0, dot);
  const functionName = dot < 0 ? '' : handler.slice(dot + 1);
  const moduleParts = moduleName.split(/[./]/);
  if (!PY_IDENTIFIER.test(functionName) || !moduleParts.every((part) => PY_IDENTIFIER.test(part))) {
    return syntax('must be written module.function, e.g. "app.handler" or "pkg.app.handler"');
  }
  const stem = join(codeUri, ...moduleParts);
  for (const file of [`${stem}.py`, join(stem, '__init__.py')]) {
    if (isFile(file)) return { ok: true, file, exportPath: [functionName] };
  }
  return { ok: false, syntax: false, message: `names a module that does not exist: ${stem}.py` };
}
