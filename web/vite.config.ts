/**
 * Builds the console into dist/console/, which `stepwise serve` serves at `/`.
 * `npm run dev:console` runs Vite's dev server and forwards API calls (POST /) to a running
 * `stepwise serve` (STEPWISE_URL, default http://127.0.0.1:8083).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const apiTarget = process.env.STEPWISE_URL ?? 'http://127.0.0.1:8083';

export default defineConfig(({ command }) => {
  // A build is always the production one, even when run from a process with NODE_ENV=test
  // (which would otherwise ship React's development build).
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    root: fileURLToPath(new URL('.', import.meta.url)),
    // Relative URLs: the server may serve the console under a base path (--base-path /stepwise).
    base: './',
    // esbuild compiles the JSX; no React plugin (Fast Refresh is not needed for this console).
    esbuild: { jsx: 'automatic' },
    // The console reads definitions with the package's own ./asl entry point, built from source.
    // Its intrinsics import node:crypto, which the browser has not: see src/platform/node-crypto.ts.
    resolve: {
      alias: {
        'stepwise-sfn/asl': fileURLToPath(new URL('../src/asl/index.ts', import.meta.url)),
        'node:crypto': fileURLToPath(new URL('./src/platform/node-crypto.ts', import.meta.url)),
      },
    },
    build: {
      outDir: fileURLToPath(new URL('../dist/console/', import.meta.url)),
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 2500,
      reportCompressedSize: false,
      // src/asl/ is pure (the layer rule test/layers.test.ts checks: no IO, no Node.js module but
      // node:crypto): importing a module of it does nothing, so the bundle keeps only what the
      // console uses of the ./asl entry point (the structure of a definition, text positions),
      // not the validator and JSONata, which the server runs.
      rollupOptions: { treeshake: { moduleSideEffects: (id: string) => !id.includes('/src/asl/') } },
    },
    server: {
      proxy: {
        '/': {
          target: apiTarget,
          // The API (POST /), the console's settings and the Scheduler's REST routes go to the
          // server; Vite serves the pages.
          bypass: (req) => (req.method === 'POST' || /^\/(console-config\.json|schedules|schedule-groups)\b/.test(req.url ?? '') ? undefined : req.url),
        },
      },
      // The templates come from ../examples.
      fs: { allow: ['..'] },
    },
  };
});
