// Builds dist/ once before the tests when it is missing or older than src/, because the CLI
// tests spawn the built `stepwise` command exactly as a user runs it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILT = join(ROOT, 'dist', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestSource(join(ROOT, 'src'))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    // tsc still emits JavaScript when it reports type errors. Only the CLI tests need dist/,
    // so a failed build is reported here and left for them to fail.
    const output = (e as { stdout?: Buffer }).stdout?.toString() ?? String(e);
    console.warn(`[global-setup] tsc -p tsconfig.build.json reported errors${existsSync(BUILT) ? '; testing the JavaScript it emitted anyway' : ''}:\n${output}`);
  }
}
