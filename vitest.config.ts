import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'shared/**/*.test.ts',
      'functions/**/*.test.ts',
      'infra/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/**/*.unit.test.ts',
    ],
    exclude: ['**/node_modules/**', 'web/**', '.tools/**', 'cdk.out/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    restoreMocks: true,
    setupFiles: ['test/support/environment.ts'],
  },
});
