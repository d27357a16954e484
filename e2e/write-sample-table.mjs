// Writes public/sample-table with the library's writer. Vite's module runner loads the
// TypeScript sources directly, so no build step is needed: `node e2e/write-sample-table.mjs`.
import { fileURLToPath } from 'node:url'
import { runnerImport } from 'vite'

const root = fileURLToPath(new URL('..', import.meta.url))
const { module } = await runnerImport(fileURLToPath(new URL('./sample-table.ts', import.meta.url)), { root, configFile: false })
const version = await module.writeSampleTable(fileURLToPath(new URL('../public/sample-table', import.meta.url)))
console.log(`public/sample-table written, version ${version}`)
