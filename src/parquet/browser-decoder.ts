import type { DecoderThread, FromDecoder, ToDecoder } from './decoder-pool.js'

/**
 * Where a decoder worker finds the wasm binary: a URL, a compiled `WebAssembly.Module` (typed
 * `object`, so declarations need no DOM lib) or bytes; the default when undefined.
 */
export type DecoderWasm = string | ArrayBuffer | object | undefined

/** The part of a Web Worker a decoder uses, stated without the DOM lib. */
interface WebWorker {
  postMessage(message: unknown, transfer: object[]): void
  addEventListener(type: string, listener: (event: { data?: unknown; preventDefault?: () => void; message?: string }) => void): void
  terminate(): void
}

/** Whether this realm can start module Web Workers (browsers and their workers; not Node). */
export function canStartWebWorkers(): boolean {
  return typeof (globalThis as { Worker?: unknown }).Worker === 'function' && typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== 'string'
}

/**
 * Start one decoder Web Worker (decode-worker.ts). Bundlers see the `new Worker(new URL(...),
 * { type: 'module' })` form and bundle it, in a page and inside another worker alike. An
 * uncaught error in it (a wasm trap) is stopped here, so it reaches neither the page nor the
 * worker that started it, and the pool replaces the worker.
 */
export function spawnWebDecoder(wasm: DecoderWasm): DecoderThread {
  // Written out as `new Worker(new URL(...))`, the one form bundlers recognise as a worker entry.
  const worker = new Worker(new URL('./decode-worker.js', import.meta.url), { type: 'module', name: 'deltalake-parquet-decoder' }) as unknown as WebWorker
  // A module is shared with the worker; bytes are copied (the caller may still use them).
  worker.postMessage({ type: 'init', wasm: wasm instanceof ArrayBuffer ? wasm.slice(0) : wasm }, [])
  let failed = false
  return {
    post: (message: ToDecoder, transfer) => worker.postMessage(message, transfer),
    onMessage: (listener) => worker.addEventListener('message', (e) => listener(e.data as FromDecoder)),
    onFailure: (listener) => {
      const once = (e: { preventDefault?: () => void; message?: string }) => {
        e.preventDefault?.()
        if (failed) return
        failed = true
        listener(new Error(e.message ?? 'the decoder worker failed'))
      }
      worker.addEventListener('error', once)
      worker.addEventListener('messageerror', once)
    },
    terminate: () => {
      failed = true
      worker.terminate()
    },
  }
}
