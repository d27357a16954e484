import { describe, expect, it } from 'vitest'
import { DeltaError } from '../../src/delta/engine/errors.js'
import type { ByteSource } from '../../src/delta/engine/parquet-codec.js'
import { RangeCache } from '../../src/parquet/range-cache.js'

function countingSource(size: number): ByteSource & { reads: [number, number][] } {
  const bytes = Uint8Array.from({ length: size }, (_, i) => i % 251)
  const reads: [number, number][] = []
  return {
    size,
    reads,
    read: async (offset, length) => {
      reads.push([offset, length])
      return bytes.slice(offset, offset + length)
    },
  }
}

describe('RangeCache', () => {
  it('serves covered reads from memory, across adjacent chunks too', async () => {
    const source = countingSource(1000)
    const cache = new RangeCache(source)
    await cache.fetch([{ start: 100, end: 200 }, { start: 200, end: 300 }])
    expect(source.reads).toEqual([[100, 100], [200, 100]])
    const bytes = await cache.read(150, 250)
    expect(Array.from(bytes)).toEqual(Array.from({ length: 100 }, (_, i) => (150 + i) % 251))
    expect(source.reads).toHaveLength(2)
  })

  it('reads an uncovered or partly covered request from the source', async () => {
    const source = countingSource(1000)
    const cache = new RangeCache(source)
    await cache.fetch([{ start: 100, end: 200 }])
    const bytes = await cache.read(150, 260)
    expect(bytes[0]).toBe(150)
    expect(bytes.length).toBe(110)
    expect(source.reads.at(-1)).toEqual([150, 110])
  })

  it('fetches only what it does not hold yet', async () => {
    const source = countingSource(1000)
    const cache = new RangeCache(source)
    await cache.fetch([{ start: 100, end: 200 }, { start: 400, end: 500 }])
    await cache.fetch([{ start: 50, end: 600 }])
    expect(source.reads.slice(2)).toEqual([[50, 50], [200, 200], [500, 100]])
    expect(cache.missing({ start: 0, end: 700 })).toEqual([{ start: 0, end: 50 }, { start: 600, end: 700 }])
  })

  it('acts as an AsyncBuffer with exact-length ArrayBuffers', async () => {
    const cache = new RangeCache(countingSource(300))
    await cache.fetch([{ start: 0, end: 300 }])
    const ab = await cache.toAsyncBuffer().slice(10, 20)
    expect(ab.byteLength).toBe(10)
    expect(new Uint8Array(ab)[0]).toBe(10)
    const ab2 = await cache.toAsyncBuffer().slice(290)
    expect(Array.from(new Uint8Array(ab2))).toEqual([39, 40, 41, 42, 43, 44, 45, 46, 47, 48])
  })

  it('hands its chunks over and then reads only from the source', async () => {
    const source = countingSource(300)
    const cache = new RangeCache(source)
    await cache.fetch([{ start: 0, end: 100 }])
    expect(cache.peek(10, 20)?.length).toBe(10)
    const chunks = cache.takeChunks()
    expect(chunks.map((c) => [c.start, c.bytes.length])).toEqual([[0, 100]])
    expect(cache.peek(10, 20)).toBeUndefined()
    await cache.read(10, 20)
    expect(source.reads.at(-1)).toEqual([10, 10])
  })

  it('remembers the first source failure', async () => {
    const failure = new DeltaError('AccessDenied', 'signature expired')
    const cache = new RangeCache({ size: 100, read: async () => Promise.reject(failure) })
    await expect(cache.read(0, 10)).rejects.toBe(failure)
    expect(cache.sourceError).toBe(failure)
  })
})
