import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The AWS SDK clients warn once per process that their 2027 releases need Node.js 22.
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export default defineConfig({
  // As in web/vite.config.ts: the console's modules import the ./asl entry point by name.
  resolve: { alias: { 'stepwise-sfn/asl': fileURLToPath(new URL('./src/asl/index.ts', import.meta.url)) } },
  test: {
    // Builds dist/ when it is stale: test/cli.test.ts spawns the built CLI.
    globalSetup: ['./test/global-setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 20_000,
    env,
    projects: [
      {
        extends: true,
        test: { name: 'stepwise', include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'] },
      },
      {
        // The API tests again, on PostgreSQL with the runner as a node of a cluster
        // (test/api/helpers.ts): the same behaviour with fenced writes and routed answers.
        extends: true,
        test: { name: 'api on postgresql', include: ['test/api/**/*.test.ts'], env: { ...env, STEPWISE_TEST_STORE: 'postgres' } },
      },
    ],
  },
});
