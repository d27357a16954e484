/**
 * Node-only helpers of deltalake: the file system storage and the parquet-wasm codec loaded from
 * disk. `DeltaTable.open('./folder')` uses them by itself; import them to build an engine by hand.
 * @packageDocumentation
 */
export { NodeFsStorage } from './storage/node-fs.js'
export { nodeParquetCodec } from './parquet/node.js'
export { nodeEngine } from './api/node-engine.js'
