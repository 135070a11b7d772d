import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\//, replacement: fileURLToPath(new URL('./', import.meta.url)) },
      { find: /^server-only$/, replacement: fileURLToPath(new URL('./test/support/empty.ts', import.meta.url)) },
    ],
  },
  test: {
    include: [
      'engine/**/*.test.ts',
      'db/**/*.test.ts',
      'app/**/*.test.ts',
      'definitions/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/cli/**/*.test.ts',
      'test/conformance/**/*.test.ts',
    ],
    environment: 'node',
    reporters: ['default', './test/support/summary-reporter.ts'],
    // A fresh PGlite database takes 2–5 s to create and migrate on these machines.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
