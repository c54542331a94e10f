import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'functions/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'emulator',
          include: ['emulator-tests/**/*.test.ts'],
          exclude: ['emulator-tests/browser/**', 'emulator-tests/suite/**'],
          globalSetup: ['emulator-tests/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // firebase-tools' Emulator Suite with our Firestore emulator (slow: firebase-tools starts
        // in seconds). One file at a time: they use fixed ports.
        test: {
          name: 'suite',
          include: ['emulator-tests/suite/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The browser build of the web SDK in headless Chromium (WebChannel and REST).
        test: {
          name: 'browser',
          include: ['emulator-tests/browser/**/*.test.ts'],
          globalSetup: ['emulator-tests/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
