/**
 * The browser worker: the Delta API over parquet-wasm, exposed with comlink. Started by
 * `createBrowserPool`; its realm does the decoding, encoding and log replay.
 * @packageDocumentation
 */
import { expose } from 'comlink'
import { browserParquetCodec } from '../parquet/browser.js'
import { createWorkerApi } from './api.js'
import { registerDeltaTransferHandlers } from './transfer.js'

registerDeltaTransferHandlers()
expose(createWorkerApi({ loadCodec: () => browserParquetCodec() }))
