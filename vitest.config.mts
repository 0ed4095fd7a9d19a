import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // PKI tests generate RSA keys and the CLI tests spawn real processes.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['test/setup.ts'],
    snapshotFormat: { printBasicPrototype: false },
  },
});
