/**
 * The browser worker: the Delta API over parquet-wasm, exposed with comlink. Started by
 * `createBrowserPool`; its realm replays logs and encodes Parquet, and decodes Parquet in a
 * decoder worker of its own.
 * @packageDocumentation
 */
import { expose } from 'comlink'
import { loadParquetCodec } from '../parquet/codec.js'
import { createWorkerApi } from './api.js'
import { registerDeltaTransferHandlers } from './transfer.js'

registerDeltaTransferHandlers()
// The pool already runs a worker per core: one nested decoder worker each keeps decoding out of
// this realm (a wasm trap kills the decoder, not this worker and its open tables).
expose(createWorkerApi({ loadCodec: () => loadParquetCodec(undefined, { decoderWorkers: 1 }) }))
