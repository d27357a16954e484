/**
 * The worker pool API for Node: everything of `deltalake/worker`, plus `createNodePool`, whose
 * worker threads run the package's built `node-worker.js` and read local folders through
 * `{ kind: 'node-fs', dir }` storage descriptors.
 * @packageDocumentation
 */
export * from './index.js'
export { createNodePool } from './node-pool.js'
export type { NodePoolOptions } from './node-pool.js'
