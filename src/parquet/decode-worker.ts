/**
 * The browser's Parquet decoder worker: parquet-wasm alone, decoding one file at a time for a
 * `DecoderPool` (see decoder-pool.ts), which replaces this worker should a wasm trap kill it.
 * Its first message says where the wasm binary is: a URL, a compiled module, the binary's bytes,
 * or nothing for the default next to parquet-wasm's script.
 * @packageDocumentation
 */
import initParquetWasm, { ParquetFile } from 'parquet-wasm/esm'
import { decodeInRealm } from './decode-request.js'
import type { FromDecoder, ToDecoder } from './decoder-pool.js'

/** The first message a decoder worker gets. */
interface InitMessage {
  type: 'init'
  wasm?: string | WebAssembly.Module | ArrayBuffer
}

interface WorkerScope {
  postMessage(message: FromDecoder, transfer?: Transferable[]): void
  addEventListener(type: 'message', listener: (event: { data: ToDecoder | InitMessage }) => void): void
}

const scope = globalThis as unknown as WorkerScope
const waiting = new Map<number, { resolve(bytes: Uint8Array): void; reject(e: Error): void }>()
let nextRead = 1
let ready: Promise<unknown> | undefined

scope.addEventListener('message', ({ data }) => {
  if (data.type === 'init') {
    ready = initParquetWasm(data.wasm === undefined ? undefined : { module_or_path: data.wasm })
    void ready.then(() => scope.postMessage({ type: 'ready' }), () => undefined)
    return
  }
  if (data.type === 'bytes') {
    const w = waiting.get(data.readId)
    waiting.delete(data.readId)
    if (data.error === undefined && data.bytes) w?.resolve(data.bytes)
    else w?.reject(new Error(data.error ?? 'no bytes'))
    return
  }
  const job = data
  void (ready ?? Promise.reject(new Error('the decoder was not initialised'))).then(
    () => decode(job),
    (e: unknown) => scope.postMessage({ type: 'failed', id: job.id, message: `the decoder could not start: ${String((e as Error)?.message ?? e)}` }),
  )
})

async function decode(job: Extract<ToDecoder, { type: 'decode' }>): Promise<void> {
  const readGap = (start: number, end: number) =>
    new Promise<Uint8Array>((resolve, reject) => {
      const readId = nextRead++
      waiting.set(readId, { resolve, reject })
      scope.postMessage({ type: 'read', id: job.id, readId, start, end })
    })
  try {
    const ipc = await decodeInRealm({ ParquetFile }, { ...job }, readGap)
    scope.postMessage({ type: 'done', id: job.id, ipc }, [ipc.buffer as ArrayBuffer])
  } catch (e) {
    scope.postMessage({ type: 'failed', id: job.id, message: e instanceof Error ? e.message : String(e) })
  }
}
