import type { ByteChunk, DecodeRequest, GapReader, ParquetDecoder } from './decode-request.js'

/** Messages to a decoder thread. */
export type ToDecoder =
  | { type: 'decode'; id: number; size: number; chunks: ByteChunk[]; columns?: string[]; rowGroups?: number[]; batchSize: number }
  | { type: 'bytes'; id: number; readId: number; bytes?: Uint8Array; error?: string }

/** Messages from a decoder thread; `ready` once its wasm module is instantiated. */
export type FromDecoder =
  | { type: 'ready' }
  | { type: 'done'; id: number; ipc: Uint8Array }
  | { type: 'failed'; id: number; message: string }
  | { type: 'read'; id: number; readId: number; start: number; end: number }

/**
 * One decoder thread as the pool drives it: a Node worker thread or a Web Worker, behind the
 * same few calls.
 */
export interface DecoderThread {
  post(message: ToDecoder, transfer: ArrayBuffer[]): void
  /** Every message the thread sends. */
  onMessage(listener: (message: FromDecoder) => void): void
  /**
   * Called at most once, when the thread dies or throws an uncaught error (a wasm trap: its
   * module is then unusable). The pool discards the thread either way.
   */
  onFailure(listener: (error: unknown) => void): void
  /** Whether the thread holds its host open (Node: ref while busy, unref while idle). */
  setBusy?(busy: boolean): void
  terminate(): void
}

/**
 * A decode that failed: `crashed` when the thread died under it rather than reporting an error;
 * `notStarted` when the thread never got its decoder running (a worker script that did not load,
 * a wasm binary not found), which says nothing about the file.
 */
export class DecodeFailure extends Error {
  override readonly name = 'DecodeFailure'
  readonly notStarted: boolean

  constructor(
    message: string,
    readonly crashed: boolean,
    options?: { cause?: unknown; notStarted?: boolean },
  ) {
    super(message, options)
    this.notStarted = options?.notStarted ?? false
  }
}

/** Options of a decoder pool. */
export interface DecoderPoolOptions {
  /** Threads at most; each decodes one file at a time. */
  size: number
  /** An idle thread is stopped after this many milliseconds, freeing its wasm memory. */
  idleMs?: number
}

interface Job {
  id: number
  request: DecodeRequest
  readGap: GapReader
  resolve(ipc: Uint8Array): void
  reject(e: unknown): void
}

interface Slot {
  thread: DecoderThread
  job?: Job
  idleTimer?: ReturnType<typeof setTimeout>
  dead: boolean
  /** The thread said its decoder is ready. */
  started: boolean
}

/**
 * Decodes Parquet in threads whose death is survivable. parquet-wasm runs its reads as futures
 * driven by `queueMicrotask`, so a Rust panic (a wasm trap) on bytes that passed every check is
 * thrown from a microtask: no try/catch sees it, a Node process dies of it and a browser leaves
 * the caller's promise pending forever; and the module, one per realm, is left unusable. Here
 * each file is decoded in a thread that runs one file at a time; when a thread dies or throws,
 * only the file it was decoding fails (a `DecodeFailure` with `crashed`), the thread is dropped,
 * and the next request starts a fresh one. Threads start on demand up to `size`, and stop when
 * idle for `idleMs`.
 */
export class DecoderPool implements ParquetDecoder {
  readonly #spawn: () => DecoderThread
  readonly #size: number
  readonly #idleMs: number
  readonly #slots = new Set<Slot>()
  readonly #queue: Job[] = []
  #nextId = 1

  constructor(spawn: () => DecoderThread, opts: DecoderPoolOptions) {
    this.#spawn = spawn
    this.#size = Math.max(1, Math.floor(opts.size))
    this.#idleMs = opts.idleMs ?? 10_000
  }

  /** How many threads are running now (for tests and diagnostics). */
  get threads(): number {
    return this.#slots.size
  }

  decode(request: DecodeRequest, readGap: GapReader): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, request, readGap, resolve, reject })
      this.#pump()
    })
  }

  /** Stop every thread; requests in flight fail. */
  close(): void {
    // Deleting the visited entry while iterating a Set is safe.
    for (const slot of this.#slots) this.#fail(slot, new DecodeFailure('the decoder was closed', false))
    for (const job of this.#queue.splice(0)) job.reject(new DecodeFailure('the decoder was closed', false))
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const slot = this.#idleSlot() ?? this.#newSlot()
      if (!slot) return
      this.#run(slot, this.#queue.shift()!)
    }
  }

  #idleSlot(): Slot | undefined {
    for (const slot of this.#slots) if (!slot.job && !slot.dead) return slot
    return undefined
  }

  #newSlot(): Slot | undefined {
    if (this.#slots.size >= this.#size) return undefined
    let thread: DecoderThread
    try {
      thread = this.#spawn()
    } catch (e) {
      // A host that cannot start threads fails the waiting requests rather than stalling them.
      for (const job of this.#queue.splice(0)) job.reject(new DecodeFailure(`could not start a decoder thread (${String(e)})`, false, { cause: e, notStarted: true }))
      return undefined
    }
    const slot: Slot = { thread, dead: false, started: false }
    this.#slots.add(slot)
    thread.onMessage((m) => this.#onMessage(slot, m))
    thread.onFailure((e) =>
      this.#fail(slot, slot.started
        ? new DecodeFailure(`the decoder thread died (${describe(e)})`, true, { cause: e })
        : new DecodeFailure(`the decoder thread could not start (${describe(e)})`, false, { cause: e, notStarted: true })))
    return slot
  }

  #run(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer)
    slot.job = job
    slot.thread.setBusy?.(true)
    const { request } = job
    // Bytes the caller may still hold are copied: transferring would detach them under it.
    const transfer = request.owned ? transferableBuffers(request.chunks) : []
    const chunks = request.chunks.map((c, i) => ({ start: c.start, bytes: transfer[i] === c.bytes.buffer ? c.bytes : copyOf(c.bytes) }))
    try {
      slot.thread.post(
        { type: 'decode', id: job.id, size: request.size, chunks, columns: request.columns, rowGroups: request.rowGroups, batchSize: request.batchSize },
        chunks.map((c) => c.bytes.buffer as ArrayBuffer),
      )
    } catch (e) {
      this.#fail(slot, new DecodeFailure(`could not hand the file to the decoder (${String(e)})`, false, { cause: e }))
    }
  }

  #onMessage(slot: Slot, m: FromDecoder): void {
    if (m.type === 'ready') {
      slot.started = true
      return
    }
    const job = slot.job
    if (!job || m.id !== job.id) return
    if (m.type === 'failed' && !slot.started) {
      // Its decoder never ran: drop the thread, so the next file tries a fresh one.
      this.#fail(slot, new DecodeFailure(m.message, false, { notStarted: true }))
      return
    }
    if (m.type === 'read') {
      void this.#answerRead(slot, job, m.readId, m.start, m.end)
      return
    }
    this.#finish(slot)
    if (m.type === 'done') job.resolve(m.ipc)
    else job.reject(new DecodeFailure(m.message, false))
  }

  async #answerRead(slot: Slot, job: Job, readId: number, start: number, end: number): Promise<void> {
    let reply: ToDecoder
    let transfer: ArrayBuffer[] = []
    try {
      const read = await job.readGap(start, end)
      const owned = job.request.owned && read.byteOffset === 0 && read.byteLength === read.buffer.byteLength && read.buffer instanceof ArrayBuffer
      const bytes = owned ? read : copyOf(read)
      reply = { type: 'bytes', id: job.id, readId, bytes }
      transfer = [bytes.buffer as ArrayBuffer]
    } catch (e) {
      reply = { type: 'bytes', id: job.id, readId, error: e instanceof Error ? e.message : String(e) }
    }
    if (slot.job === job && !slot.dead) slot.thread.post(reply, transfer)
  }

  #finish(slot: Slot): void {
    slot.job = undefined
    slot.thread.setBusy?.(false)
    this.#pump()
    if (!slot.job && !slot.dead) {
      slot.idleTimer = setTimeout(() => this.#retire(slot), this.#idleMs)
      unrefTimer(slot.idleTimer)
    }
  }

  #retire(slot: Slot): void {
    if (slot.job || slot.dead) return
    slot.dead = true
    this.#slots.delete(slot)
    slot.thread.terminate()
  }

  #fail(slot: Slot, error: DecodeFailure): void {
    if (slot.dead) return
    slot.dead = true
    clearTimeout(slot.idleTimer)
    this.#slots.delete(slot)
    const job = slot.job
    slot.job = undefined
    slot.thread.setBusy?.(false)
    try {
      slot.thread.terminate()
    } catch {
      // already gone
    }
    job?.reject(error)
    this.#pump()
  }
}

/**
 * The buffers to transfer for `chunks`: a chunk's own buffer when the chunk is all of it and no
 * other chunk shares it, else undefined (that chunk is copied instead, so that no bytes still in
 * use elsewhere, such as a Node Buffer pool, are detached).
 */
function transferableBuffers(chunks: readonly ByteChunk[]): (ArrayBufferLike | undefined)[] {
  const seen = new Set<ArrayBufferLike>()
  return chunks.map(({ bytes }) => {
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer && !seen.has(bytes.buffer)
    seen.add(bytes.buffer)
    return own ? bytes.buffer : undefined
  })
}

// Uint8Array.prototype.slice copies; Buffer#slice (a subclass) would return a view.
function copyOf(bytes: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes)
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`
  if (typeof e === 'object' && e !== null && 'message' in e) return String((e as { message: unknown }).message)
  return String(e)
}

function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  const t = timer as { unref?: () => void }
  t.unref?.()
}
