import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'

/**
 * The web SDK's conformance tests (emulator-tests/firestore/web-*) again, on the browser build of
 * firebase/firestore in Node: WebChannel and REST instead of gRPC. Every import of firebase/firestore
 * (test files, support/clients.ts) is aliased to the file the package's exports map gives browsers;
 * support/webchannel-setup.ts supplies XMLHttpRequest and checks the traffic took that transport.
 */
function webChannelProject(transport: 'webchannel-streaming' | 'webchannel-long-polling'): TestProjectInlineConfiguration {
  const packageJson = createRequire(import.meta.url).resolve('@firebase/firestore/package.json')
  const exportsMap = (JSON.parse(readFileSync(packageJson, 'utf8')) as { exports: { '.': { browser: { import: string } } } }).exports
  const browserBuild = join(dirname(packageJson), exportsMap['.'].browser.import)
  return {
    resolve: { alias: [{ find: /^@?firebase\/firestore$/, replacement: browserBuild }] },
    test: {
      name: transport,
      include: ['emulator-tests/firestore/web-*.test.ts'],
      globalSetup: ['emulator-tests/support/global-setup.ts'],
      setupFiles: ['emulator-tests/support/webchannel-setup.ts'],
      env: { QUIRE_WEB_TRANSPORT: transport },
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  }
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'functions/src/**/*.test.ts', 'web/test/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'emulator',
          include: ['emulator-tests/**/*.test.ts'],
          exclude: ['emulator-tests/browser/**', 'emulator-tests/suite/**', 'emulator-tests/web/**'],
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
      webChannelProject('webchannel-streaming'),
      webChannelProject('webchannel-long-polling'),
      {
        // The web app end to end: the Emulator Suite serving the built app, Chromium driving it.
        // Fixed ports (emulator-tests/web/fixture/firebase.json): one file at a time; and after the
        // other projects (groupOrder), since it rebuilds functions/lib that the suite tests load.
        test: {
          name: 'web',
          sequence: { groupOrder: 1 },
          include: ['emulator-tests/web/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
})
