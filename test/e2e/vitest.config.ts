import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: [{ find: /^@\//, replacement: fileURLToPath(new URL('../../', import.meta.url)) }] },
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    root: fileURLToPath(new URL('../../', import.meta.url)),
    environment: 'node',
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
