/**
 * The Node worker_threads entry: the Delta API over parquet-wasm and the file system, exposed
 * with comlink on the parent port. Node cannot run TypeScript in a worker: start the built JS.
 * @packageDocumentation
 */
import { parentPort } from 'node:worker_threads'
import { expose } from 'comlink'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import { DeltaError } from '../delta/engine/errors.js'
import { nodeParquetCodec } from '../parquet/node.js'
import { folderFileUri, NodeTableStorage } from '../api/node-engine.js'
import { createWorkerApi } from './api.js'
import { registerDeltaTransferHandlers } from './transfer.js'

if (!parentPort) throw new DeltaError('InvalidArgument', 'node-worker runs inside a worker thread: start it with createNodePool')
registerDeltaTransferHandlers()
// The pool already runs a thread per core: one decoder thread each keeps decoding off this
// thread (a wasm trap kills the decoder, not the worker and its open tables) without oversubscribing.
expose(createWorkerApi({ loadCodec: () => nodeParquetCodec({ decoderWorkers: 1 }), nodeFs: (dir) => new NodeTableStorage(dir), folderUri: folderFileUri }), nodeEndpoint(parentPort))
