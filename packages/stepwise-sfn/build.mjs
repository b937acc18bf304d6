// Builds the stepwise-sfn package (the engine, the testing API and the CLI without the server)
// from the repository's src/, into dist/: the entry points in tsconfig.json and what they
// import, nothing more. Then checks that what it emitted imports no package this package does
// not depend on (the server's SQLite, PostgreSQL, logging and metrics stay in
// stepwise-sfn-server), and adds the console's built pages, which `stepwise view` serves.
// Runs as `prepare`: on `npm pack`, `npm publish` and an install from a git checkout.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const dist = join(here, 'dist');
const require = createRequire(join(root, 'package.json'));

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(here, 'tsconfig.json')], { stdio: 'inherit' });

// Every bare import of the emitted JavaScript must be a dependency (or optional peer) of this package.
const manifest = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const allowed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
const problems = [];
for (const file of walk(dist)) {
  if (!file.endsWith('.js')) continue;
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) {
    const specifier = match[1] ?? match[2];
    if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    if (!allowed.has(name)) problems.push(`${relative(here, file)} imports ${specifier}`);
  }
}
if (problems.length > 0) {
  console.error(`stepwise-sfn must not import packages it does not depend on:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

// The console, for `stepwise view`: the repository's build when there is one, else built here.
const builtConsole = join(root, 'dist', 'console');
if (existsSync(join(builtConsole, 'index.html'))) {
  cpSync(builtConsole, join(dist, 'console'), { recursive: true });
} else {
  execFileSync(process.execPath, [require.resolve('vite/bin/vite.js'), 'build', '--config', join(root, 'web', 'vite.config.ts'), '--outDir', join(dist, 'console')], { stdio: 'inherit', cwd: root });
}

function* walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
