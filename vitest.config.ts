import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.spec.ts', 'tools/*/src/**/*.spec.ts'],
    // Native addons and sharp are safest in child processes.
    pool: 'forks',
    setupFiles: ['packages/core/testing/remove-temp-dirs.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
