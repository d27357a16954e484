import type { AsyncBuffer } from 'hyparquet'
import type { ByteSource } from '../delta/engine/parquet-codec.js'
import type { ByteRange } from './byte-ranges.js'
import { ownBuffer, type ByteChunk } from './decode-request.js'

/**
 * The bytes of some ranges of one file, fetched up front in parallel, standing in for the whole
 * file. Reads inside the fetched ranges are served from memory; a read that is not fully covered
 * goes to the source, so a planning gap costs a request, never a wrong answer.
 */
export class RangeCache {
  readonly size: number
  private readonly source: ByteSource
  private chunks: ByteChunk[] = []
  /** The first error the source raised, so a decoder that swallows it cannot hide it. */
  sourceError: unknown

  constructor(source: ByteSource) {
    this.source = source
    this.size = source.size
  }

  private add(start: number, bytes: Uint8Array): void {
    this.chunks.push({ start, bytes })
    this.chunks.sort((a, b) => a.start - b.start)
  }

  /** Read the parts of `ranges` not held yet, all at once, and keep them. */
  async fetch(ranges: readonly ByteRange[]): Promise<void> {
    const todo = ranges.flatMap((r) => this.missing(r))
    const read = await Promise.all(todo.map((r) => this.readSource(r.start, r.end)))
    read.forEach((bytes, i) => this.add(todo[i]!.start, bytes))
  }

  /** The bytes of `[start, end)`, from memory when covered, else from the source. */
  async read(start: number, end: number): Promise<Uint8Array> {
    const from = Math.max(0, Math.min(start, this.size))
    const to = Math.max(from, Math.min(end, this.size))
    return this.readCovered(from, to) ?? (await this.readSource(from, to))
  }

  /** The bytes of `[start, end)` when held, without reading the source. */
  peek(start: number, end: number): Uint8Array | undefined {
    return end > this.size ? undefined : this.readCovered(start, end)
  }

  /**
   * Hand over every held chunk (to be transferred to a decoder thread) and forget them: later
   * reads go to the source, never to bytes detached by the transfer.
   */
  takeChunks(): ByteChunk[] {
    const out = this.chunks
    this.chunks = []
    return out
  }

  /** The parts of `range` that no held chunk covers. */
  missing(range: ByteRange): ByteRange[] {
    const out: ByteRange[] = []
    let pos = range.start
    for (const c of this.chunks) {
      const cEnd = c.start + c.bytes.length
      if (cEnd <= pos) continue
      if (c.start >= range.end) break
      if (c.start > pos) out.push({ start: pos, end: c.start })
      pos = cEnd
      if (pos >= range.end) return out
    }
    if (pos < range.end) out.push({ start: pos, end: range.end })
    return out
  }

  private async readSource(from: number, to: number): Promise<Uint8Array> {
    try {
      return await this.source.read(from, to - from)
    } catch (e) {
      this.sourceError ??= e
      throw e
    }
  }

  /** A hyparquet AsyncBuffer over this cache. */
  toAsyncBuffer(): AsyncBuffer {
    return {
      byteLength: this.size,
      slice: async (start, end = this.size) => ownBuffer(await this.read(start, end)),
    }
  }

  private readCovered(from: number, to: number): Uint8Array | undefined {
    const first = this.chunks.findLast((c) => c.start <= from && c.start + c.bytes.length > from)
    if (!first) return to === from ? new Uint8Array(0) : undefined
    if (first.start + first.bytes.length >= to) {
      return first.bytes.subarray(from - first.start, to - first.start)
    }
    return this.assemble(from, to)
  }

  /** Join chunks that together cover `[from, to)` without a hole, or undefined. */
  private assemble(from: number, to: number): Uint8Array | undefined {
    const out = new Uint8Array(to - from)
    let pos = from
    for (const c of this.chunks) {
      const cEnd = c.start + c.bytes.length
      if (cEnd <= pos) continue
      if (c.start > pos) return undefined
      const take = Math.min(cEnd, to)
      out.set(c.bytes.subarray(pos - c.start, take - c.start), pos - from)
      pos = take
      if (pos >= to) return out
    }
    return undefined
  }
}
