import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { DecoderThread, FromDecoder } from './decoder-pool.js'

// The decoder thread's program. Worker threads cannot load TypeScript, and this module runs both
// from the built package and from its sources under a test runner or a bundle, where no file of
// ours sits at a known place: so the thread runs this self-contained script and imports
// parquet-wasm by the URL resolved here. It mirrors `decodeInRealm` (decode-request.ts): a Blob
// look-alike over the chunks sent, reads outside them asked of the parent.
const DECODER_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads')
const ready = import(workerData.glue).then((m) => {
  m.initSync({ module: workerData.module })
  parentPort.postMessage({ type: 'ready' })
  return m
})
const waiting = new Map()
let nextRead = 1
parentPort.on('message', (msg) => {
  if (msg.type === 'bytes') {
    const w = waiting.get(msg.readId)
    waiting.delete(msg.readId)
    if (w) msg.error === undefined ? w.resolve(msg.bytes) : w.reject(new Error(msg.error))
    return
  }
  ready.then((m) => decode(m, msg), (e) => fail(msg.id, 'the decoder could not start: ' + String(e && e.message || e)))
})
function fail(id, message) {
  parentPort.postMessage({ type: 'failed', id, message })
}
function reader(job) {
  const chunks = job.chunks.slice().sort((a, b) => a.start - b.start)
  return async (start, end) => {
    if (end <= start) return new Uint8Array(0)
    const out = new Uint8Array(end - start)
    let pos = start
    for (const c of chunks) {
      const cEnd = c.start + c.bytes.length
      if (cEnd <= pos) continue
      if (c.start > pos) break
      const take = Math.min(cEnd, end)
      if (pos === start && take === end) return c.bytes.subarray(pos - c.start, take - c.start)
      out.set(c.bytes.subarray(pos - c.start, take - c.start), pos - start)
      pos = take
      if (pos >= end) return out
    }
    const readId = nextRead++
    const bytes = new Promise((resolve, reject) => waiting.set(readId, { resolve, reject }))
    parentPort.postMessage({ type: 'read', id: job.id, readId, start, end })
    return bytes
  }
}
function own(bytes) {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer
}
async function decode(m, job) {
  const read = reader(job)
  const blob = { size: job.size, slice: (start = 0, end = job.size) => ({ arrayBuffer: async () => own(await read(start, Math.min(end, job.size))) }) }
  let file, table
  try {
    file = await m.ParquetFile.fromFile(blob)
    const options = { batchSize: job.batchSize }
    if (job.columns) options.columns = job.columns
    if (job.rowGroups) options.rowGroups = job.rowGroups
    table = await file.read(options)
    const consumed = table
    table = undefined
    const ipc = consumed.intoIPCStream()
    parentPort.postMessage({ type: 'done', id: job.id, ipc }, [ipc.buffer])
  } catch (e) {
    fail(job.id, String(e && e.message || e))
  } finally {
    if (table) table.free()
    if (file) file.free()
  }
}
`

let glueUrl: string | undefined

/**
 * Start one decoder worker thread on the compiled parquet-wasm `module` (a `WebAssembly.Module`,
 * typed `object` so declarations need no DOM lib; it is shared with threads, not compiled again). Unreferenced while idle, so an idle decoder never
 * keeps the process alive; referenced while it decodes, so a process awaiting a read does not
 * exit under it.
 */
export function spawnNodeDecoder(module: object): DecoderThread {
  // createRequire resolves through the package's exports under plain node, a test runner or a
  // bundle alike, where import.meta.resolve is not always available.
  glueUrl ??= pathToFileURL(createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm.js')).href
  const worker = new Worker(DECODER_SCRIPT, { eval: true, workerData: { glue: glueUrl, module }, name: 'deltalake-parquet-decoder' })
  worker.unref()
  let failed = false
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (listener) => {
      worker.on('message', (m: FromDecoder) => listener(m))
      worker.unref() // adding a 'message' listener references the worker again
    },
    onFailure: (listener) => {
      const once = (e: unknown) => {
        if (failed) return
        failed = true
        listener(e)
      }
      worker.on('error', once)
      worker.on('messageerror', once)
      worker.on('exit', (code) => once(new Error(`the thread exited with code ${code}`)))
    },
    setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
    terminate: () => {
      failed = true
      void worker.terminate()
    },
  }
}
