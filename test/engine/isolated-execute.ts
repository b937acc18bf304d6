// Runs `execute()` of the built library (dist/index.js, built by test/global-setup.ts) in a child
// process with a deadline. A workflow that holds the thread synchronously cannot be interrupted
// by vitest's own timeout, so a regression of a containment limit would hang the test run; in a
// child process it is killed and the test fails with a clear message instead.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The built library; STEPWISE_ISOLATED_LIBRARY names another build (to run these tests against an older one). */
const LIBRARY = pathToFileURL(process.env.STEPWISE_ISOLATED_LIBRARY ?? join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'index.js')).href;

export interface IsolatedResult {
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Event types of the history, in order. */
  types: string[];
  /** How long execute() took inside the child, in ms. */
  elapsedMs: number;
}

const SCRIPT = `
import { execute } from ${JSON.stringify(LIBRARY)};
let text = '';
for await (const chunk of process.stdin) text += chunk;
const { definition, input, options } = JSON.parse(text);
const started = performance.now();
const result = await execute(definition, input, options);
const elapsedMs = performance.now() - started;
process.stdout.write(JSON.stringify({
  status: result.status, output: result.output, error: result.error, cause: result.cause,
  types: result.history.map((e) => e.type), elapsedMs,
}));
`;

export function executeIsolated(definition: unknown, input: unknown, options: Record<string, unknown> = {}, deadlineMs = 10_000): Promise<IsolatedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=512', '--input-type=module', '-e', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`execute() did not finish within ${deadlineMs} ms`));
    }, deadlineMs);
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`execute() exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as IsolatedResult);
    });
    child.stdin.end(JSON.stringify({ definition, input, options }));
  });
}
