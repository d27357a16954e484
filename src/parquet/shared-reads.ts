import type { ByteSource } from '../delta/engine/parquet-codec.js'
import { DeltaError } from '../delta/engine/errors.js'
import type { ByteRange } from './byte-ranges.js'

interface Pending {
  start: number
  end: number
  bytes: Promise<Uint8Array>
  /** Reads still expected of this range; the bytes are let go after the last. */
  uses: number
}

/**
 * A source whose reads of planned ranges are started at once and served to whoever asks for
 * that range (or a part of it: a reader may already hold the rest) later, each as many times as
 * planned and then forgotten. A file read in
 * several decodes (row group by row group) is so fetched in one wave of requests, while each
 * decode's bytes are let go as soon as it has taken them. Reads not planned go to the source.
 * When the source's bytes are transferable, a range's last reader gets the bytes themselves (a
 * decoder thread may take them) and earlier readers of a range read more than once (a footer)
 * get copies, so that nothing another reader holds is taken.
 */
export class SharedReads implements ByteSource {
  readonly size: number
  readonly name: string | undefined
  readonly transferable: boolean
  private readonly pending = new Map<string, Pending>()
  private closed = false

  constructor(private readonly source: ByteSource) {
    this.size = source.size
    this.name = source.name
    this.transferable = source.transferable === true
  }

  /** Start reading `ranges` now; each will be asked for `uses` times (Infinity: kept). */
  prefetch(ranges: readonly ByteRange[], uses = 1): void {
    for (const r of ranges) {
      const key = `${r.start}:${r.end}`
      // A range inside one already planned (the page indexes inside the footer's first read) is
      // served from it, not fetched again.
      const hit = this.pending.get(key) ?? [...this.pending.values()].find((p) => p.start <= r.start && p.end >= r.end)
      if (hit) {
        hit.uses += uses
        continue
      }
      const bytes = this.source.read(r.start, r.end - r.start)
      // A prefetch nobody asks for after all must not surface as an unhandled rejection.
      bytes.catch(() => undefined)
      this.pending.set(key, { start: r.start, end: r.end, bytes, uses })
    }
  }

  /** Serve `bytes`, already read, as the range they cover, `uses` times (Infinity: kept). */
  seed(start: number, bytes: Uint8Array, uses = Infinity): void {
    const end = start + bytes.length
    this.pending.set(`${start}:${end}`, { start, end, bytes: Promise.resolve(bytes), uses })
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (this.closed) throw new DeltaError('Cancelled', 'the streamed read was stopped')
    const end = offset + length
    for (const [key, hit] of this.pending) {
      if (hit.start > offset || hit.end < end) continue
      const last = --hit.uses <= 0
      if (last) this.pending.delete(key)
      const bytes = await hit.bytes
      const part = hit.start === offset && hit.end === end ? bytes : bytes.subarray(offset - hit.start, end - hit.start)
      return last || !this.transferable ? part : part.slice()
    }
    return this.source.read(offset, length)
  }

  /**
   * Forget every planned read and refuse new ones (`Cancelled`): the caller has stopped, and a
   * decode it started ahead must not go on fetching for nobody.
   */
  close(): void {
    this.closed = true
    this.pending.clear()
  }
}
