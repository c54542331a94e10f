// Bundles src/index.ts into lib/index.js for deployment: the workspace code (@quire/y-firestore,
// TypeScript) and yjs go inside; firebase-functions and firebase-admin stay outside, as the
// dependencies `firebase deploy` installs from package.json.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))

await build({
  entryPoints: [here('./src/index.ts')],
  outfile: here('./lib/index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['firebase-functions', 'firebase-functions/*', 'firebase-admin', 'firebase-admin/*'],
  sourcemap: true,
  logLevel: 'warning',
})
