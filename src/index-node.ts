/**
 * The main entry as Node resolves it (the `node` condition of `deltalake`): the same exports as
 * the browser-safe entry, with the Node engine imported statically, so `DeltaTable.open('./folder')`
 * reads the file system, also in code bundled for Node.
 * @packageDocumentation
 */
import { nodeEngine } from './api/node-engine.js'
import { useLocalEngine } from './api/resolve-engine.js'

useLocalEngine(nodeEngine)

export * from './index.js'
