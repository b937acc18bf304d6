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
    build: {
      outDir: fileURLToPath(new URL('../dist/console/', import.meta.url)),
      emptyOutDir: true,
      target: 'es2022',
      chunkSizeWarningLimit: 2500,
      reportCompressedSize: false,
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
