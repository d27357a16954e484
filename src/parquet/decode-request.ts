/** Bytes of a file starting at `start`. */
export interface ByteChunk {
  start: number
  bytes: Uint8Array
}

/**
 * A validated Parquet file handed to a decoder: the fetched ranges of it (footer, page indexes,
 * the chosen column chunks) and what to decode.
 */
export interface DecodeRequest {
  /** The file's name, for messages. */
  name?: string
  size: number
  chunks: ByteChunk[]
  /** The chunks' buffers are the request's own: a decoder thread may take them (detaching them here) rather than a copy. */
  owned?: boolean
  columns?: string[]
  rowGroups?: number[]
  batchSize: number
}

/** Reads bytes of the file outside the chunks sent, should the decoder ask for any. */
export type GapReader = (start: number, end: number) => Promise<Uint8Array>

/**
 * Where Parquet is decoded into Arrow IPC: in this realm, or in a worker whose death (a wasm
 * trap on bytes no check foresaw) fails only the request it was running.
 */
export interface ParquetDecoder {
  /** Decode into one Arrow IPC stream; rejects with an Error (the codec names the file). */
  decode(request: DecodeRequest, readGap: GapReader): Promise<Uint8Array>
}

/**
 * The part of parquet-wasm's module a decode uses, stated structurally so that declarations
 * need neither parquet-wasm's types nor the DOM lib (its `fromFile` takes a Blob).
 */
export interface ParquetWasmApi {
  ParquetFile: { fromFile(handle: never): Promise<WasmParquetFile> }
}

interface WasmParquetFile {
  read(options: { batchSize: number; columns?: string[]; rowGroups?: number[] }): Promise<WasmTable>
  free(): void
}

interface WasmTable {
  intoIPCStream(): Uint8Array
  free(): void
}

/**
 * Decode a request with parquet-wasm in this realm, freeing wasm memory always. The file is a
 * Blob look-alike over the chunks: parquet-wasm's glue only calls size, slice() and
 * arrayBuffer() on it, so the file need not be held, or allocated, in full. A read outside the
 * chunks goes to `readGap`, so a gap in the plan costs a request, never a wrong answer.
 */
export async function decodeInRealm(api: ParquetWasmApi, request: DecodeRequest, readGap: GapReader): Promise<Uint8Array> {
  const read = chunkReader(request.chunks, readGap)
  const blob = {
    size: request.size,
    slice: (start = 0, end = request.size) => ({ arrayBuffer: async () => ownBuffer(await read(start, Math.min(end, request.size))) }),
  }
  let file: WasmParquetFile | undefined
  let table: WasmTable | undefined
  try {
    file = await api.ParquetFile.fromFile(blob as never)
    table = await file.read({
      batchSize: request.batchSize,
      ...(request.columns && { columns: request.columns }),
      ...(request.rowGroups && { rowGroups: request.rowGroups }),
    })
    const consumed = table
    table = undefined // intoIPCStream takes ownership, even when it throws
    return consumed.intoIPCStream()
  } finally {
    table?.free()
    file?.free()
  }
}

/** Reads `[start, end)` from the chunks (sorted, not overlapping) when they cover it, else from `readGap`. */
export function chunkReader(chunks: readonly ByteChunk[], readGap: GapReader): (start: number, end: number) => Promise<Uint8Array> {
  const sorted = [...chunks].sort((a, b) => a.start - b.start)
  return async (start, end) => {
    if (end <= start) return new Uint8Array(0)
    const out = new Uint8Array(end - start)
    let pos = start
    for (const c of sorted) {
      const cEnd = c.start + c.bytes.length
      if (cEnd <= pos) continue
      if (c.start > pos) break
      const take = Math.min(cEnd, end)
      if (pos === start && take === end) return c.bytes.subarray(pos - c.start, take - c.start)
      out.set(c.bytes.subarray(pos - c.start, take - c.start), pos - start)
      pos = take
      if (pos >= end) return out
    }
    return readGap(start, end)
  }
}

/** A standalone ArrayBuffer holding exactly `bytes` (a view may sit in a larger buffer). */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer
  }
  // Uint8Array.prototype.slice copies; Buffer#slice (a subclass) would return a view.
  return Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer
}
