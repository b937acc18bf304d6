// The layer rules of docs/architecture.md, checked on every import and export-from of src/ (type
// imports included: a type dependency is still a dependency):
// - src/asl/ is the language alone: nothing from another src folder, no Node.js module.
// - src/engine/ is the decider: src/asl/ and itself only (no Node.js module, no package, no
//   store, api, integrations or runtime), so it can run anywhere a decision is replayed.
// - src/store/ serves the API and the runtime, never the other way round: it imports nothing
//   from src/api/, src/runtime/ or src/server/.
// - src/config/ (the project configuration) is read by everyone and reads nobody: no other src folder.
// - src/events/ (EventBridge patterns, input transformers) and src/schedules/ (schedule
//   expressions) are pure building blocks: no other src folder.
// - src/auth/ (keys file, SigV4, IAM policies) imports nothing from api, runtime, server or cli.
// - src/integrations/ (one module per service) plug into the runtime's task dispatcher: they never
//   import the server or the command line.
// - src/testing/ (the testing API, `stepwise test`'s parts) runs executions in memory: it never
//   imports the server, the store, the API or the command line.
// Tests (*.test.ts) are not shipped and may import what they test with.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');

interface Rule {
  readonly folder: string;
  /** Why an import is forbidden, or undefined when it is allowed. */
  readonly check: (target: Target) => string | undefined;
}

/** What an import specifier names: a src folder (`src/asl`), a Node.js module or a package. */
type Target = { kind: 'src'; folder: string } | { kind: 'node' } | { kind: 'package'; name: string };

const RULES: readonly Rule[] = [
  {
    folder: 'asl',
    check: (t) => (t.kind === 'node' ? 'a Node.js module' : t.kind === 'src' && t.folder !== 'asl' ? `src/${t.folder}` : undefined),
  },
  {
    folder: 'engine',
    check: (t) =>
      t.kind === 'node'
        ? 'a Node.js module'
        : t.kind === 'package'
          ? `the package ${t.name}`
          : t.folder !== 'engine' && t.folder !== 'asl'
            ? `src/${t.folder}`
            : undefined,
  },
  {
    folder: 'store',
    check: (t) => (t.kind === 'src' && ['api', 'runtime', 'server'].includes(t.folder) ? `src/${t.folder}` : undefined),
  },
  {
    folder: 'config',
    check: (t) => (t.kind === 'src' && t.folder !== 'config' ? `src/${t.folder}` : undefined),
  },
  {
    folder: 'events',
    check: (t) => (t.kind === 'src' && t.folder !== 'events' ? `src/${t.folder}` : undefined),
  },
  {
    folder: 'schedules',
    check: (t) => (t.kind === 'src' && t.folder !== 'schedules' ? `src/${t.folder}` : undefined),
  },
  {
    // Keys, SigV4 and IAM policies: the API and the server use it, never the other way round.
    folder: 'auth',
    check: (t) => (t.kind === 'src' && ['api', 'runtime', 'server', 'cli'].includes(t.folder) ? `src/${t.folder}` : undefined),
  },
  {
    folder: 'integrations',
    check: (t) => (t.kind === 'src' && ['server', 'cli'].includes(t.folder) ? `src/${t.folder}` : undefined),
  },
  {
    // The testing API runs state machines in memory: it ships in stepwise-sfn, which has no
    // server, store or API (packages/stepwise-sfn/build.mjs checks the packages it imports).
    folder: 'testing',
    check: (t) => (t.kind === 'src' && ['server', 'cli', 'store', 'api'].includes(t.folder) ? `src/${t.folder}` : undefined),
  },
];

/**
 * Violations known when the check was written, listed so they can be removed one by one;
 * `file -> import` exactly as the check reports it. A listed exception that no longer occurs
 * fails the check too, so this list only shrinks. (src/engine had none once the drivers moved
 * to src/runtime; its tests, e.g. map-runs.test.ts, still import the runtime, as tests may.)
 */
const KNOWN_EXCEPTIONS: ReadonlySet<string> = new Set([
  // The language hashes with node:crypto (States.Hash, $hash) and falls back to its randomUUID
  // when no generator is passed (States.UUID, $uuid): a pure hash in src/asl, or one passed in
  // by the caller like the generator, would remove these.
  'src/asl/intrinsics/encoding.ts -> node:crypto',
  'src/asl/intrinsics/math.ts -> node:crypto',
  'src/asl/jsonata/functions.ts -> node:crypto',
]);

const NODE_MODULES = new Set(builtinModules);

function targetOf(file: string, specifier: string): Target {
  if (specifier.startsWith('.')) {
    const path = relative(SRC, resolve(dirname(file), specifier));
    const folder = path.startsWith('..') ? '(outside src)' : path.includes(sep) ? path.split(sep)[0]! : '(src root)';
    return { kind: 'src', folder };
  }
  if (specifier.startsWith('node:') || NODE_MODULES.has(specifier.split('/')[0]!)) return { kind: 'node' };
  const parts = specifier.split('/');
  return { kind: 'package', name: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]! };
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|tsx|mts|cts)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Every `file -> import` that breaks a rule, with the reason. */
function violations(): Map<string, string> {
  const found = new Map<string, string>();
  for (const rule of RULES) {
    for (const file of sourceFiles(join(SRC, rule.folder))) {
      // preProcessFile finds import, import type, export … from, import() and require = import,
      // and ignores comments and strings.
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName: specifier } of importedFiles) {
        const why = rule.check(targetOf(file, specifier));
        if (why !== undefined) found.set(`${relative(ROOT, file).split(sep).join('/')} -> ${specifier}`, `src/${rule.folder} may not import ${why}`);
      }
    }
  }
  return found;
}

describe('layer rules', () => {
  const found = violations();

  it('src/asl, src/engine and src/store import only what their layer allows', () => {
    const broken = [...found].filter(([edge]) => !KNOWN_EXCEPTIONS.has(edge)).map(([edge, why]) => `${edge}   (${why})`);
    expect(broken, `Forbidden imports (file -> import):\n  ${broken.join('\n  ')}\n`).toEqual([]);
  });

  it('lists only exceptions that still occur', () => {
    const stale = [...KNOWN_EXCEPTIONS].filter((edge) => !found.has(edge));
    expect(stale, `These KNOWN_EXCEPTIONS no longer occur; remove them from test/layers.test.ts:\n  ${stale.join('\n  ')}\n`).toEqual([]);
  });

  it('sees the imports it checks (a rule that matches nothing cannot fail)', () => {
    // The check parses real files: the engine imports the language, the store the engine's types.
    const edges = (folder: string) =>
      sourceFiles(join(SRC, folder)).flatMap((file) => ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => targetOf(file, f.fileName)));
    expect(edges('engine')).toContainEqual({ kind: 'src', folder: 'asl' });
    expect(edges('store')).toContainEqual({ kind: 'src', folder: 'engine' });
    expect(edges('asl')).toContainEqual({ kind: 'package', name: 'jsonata' });
  });
});
