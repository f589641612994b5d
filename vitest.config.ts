import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under this condition, so
// tests run against source without a build step.
const sourceCondition = 'cohort-source';

const exclude = ['**/node_modules/**', '**/dist/**', '.toolchain/**', '.cohort/**'];

export default defineConfig({
  resolve: { conditions: [sourceCondition, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions], externalConditions: [sourceCondition] } },
  test: {
    exclude,
    // JetStream reserves a stream's max bytes up front; tests create many namespaces,
    // so their log and dead-letter streams stay small (services inherit this env).
    env: { COHORT_LOGS_MAX_BYTES: String(64 * 1024 * 1024), COHORT_DLQ_MAX_BYTES: String(16 * 1024 * 1024) },
    // The JSON report lets CI print one plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // `npm test` runs with --coverage: the pure domain must stay at 95 % lines and branches.
    coverage: {
      provider: 'v8',
      include: ['libs/domain/src/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 95, branches: 95 },
    },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/*.unit.test.ts'], exclude },
      },
      {
        // The dashboard's Svelte components, rendered in jsdom with Svelte's browser build.
        extends: true,
        plugins: [svelte({ configFile: false, compilerOptions: { dev: true } }), svelteTesting()],
        resolve: { conditions: ['browser', ...defaultClientConditions] },
        test: {
          name: 'web',
          include: ['web/**/*.component.test.ts'],
          exclude,
          environment: './web/test/jsdom-environment.ts',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['**/*.e2e.test.ts'],
          exclude,
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // End-to-end suites start whole systems; on two cores they run one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
