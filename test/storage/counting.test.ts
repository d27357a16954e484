import { describe, expect, it } from 'vitest'
import type { FileMeta, Storage } from '../../src/delta/engine/storage.js'
import { CountingStorage } from '../../src/storage/counting.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { describeSignalContract, describeStorageContract, expectDeltaError } from './storage-contract.js'

describeStorageContract('CountingStorage over MemoryStorage', async () => ({ storage: new CountingStorage(new MemoryStorage()) }))
describeSignalContract('CountingStorage over MemoryStorage', async () => ({ storage: new CountingStorage(new MemoryStorage()) }))

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

async function seeded(opts?: { latencyMs?: number }): Promise<CountingStorage> {
  const inner = new MemoryStorage()
  for (const p of ['a', 'b', 'c', 'log/0.json', 'log/1.json']) await inner.put(p, bytes(p))
  return new CountingStorage(inner, opts)
}

/** A storage whose reads settle only when the test says, to build exact overlaps. */
class GatedStorage implements Storage {
  readonly capabilities = { atomicCreate: true, list: true, write: true }
  readonly #gates = new Map<string, () => void>()
  list = async (): Promise<FileMeta[]> => []
  head = async (): Promise<FileMeta | undefined> => undefined
  put = async (): Promise<void> => undefined
  delete = async (): Promise<void> => undefined
  read(path: string): Promise<Uint8Array> {
    return new Promise((resolve) => this.#gates.set(path, () => resolve(bytes(path))))
  }
  open(path: string): void {
    this.#gates.get(path)?.()
  }
}

describe('CountingStorage', () => {
  it('counts calls per method and records each one', async () => {
    const storage = await seeded()
    await storage.list('log')
    await storage.read('a', { offset: 0, length: 1 })
    await storage.read('b')
    await storage.head('c')
    await storage.put('d', bytes('dd'))
    await storage.delete('d')
    expect(storage.counts).toEqual({ list: 1, read: 2, head: 1, put: 1, delete: 1 })
    expect(storage.total).toBe(6)
    expect(storage.calls.map((c) => [c.op, c.path, c.range, c.bytes, c.failed])).toEqual([
      ['list', 'log', undefined, undefined, false],
      ['read', 'a', { offset: 0, length: 1 }, 1, false],
      ['read', 'b', undefined, 1, false],
      ['head', 'c', undefined, undefined, false],
      ['put', 'd', undefined, 2, false],
      ['delete', 'd', undefined, undefined, false],
    ])
    for (const c of storage.calls) expect(c.endedAt).toBeGreaterThanOrEqual(c.startedAt)
  })

  it('records failed calls and passes their error on', async () => {
    const storage = await seeded()
    await expectDeltaError(storage.read('missing'), 'NotFound')
    expect(storage.calls[0]).toMatchObject({ op: 'read', path: 'missing', failed: true, bytes: undefined })
    expect(storage.calls[0]!.endSeq).toBeDefined()
  })

  it('forgets everything on reset', async () => {
    const storage = await seeded()
    await storage.read('a')
    storage.reset()
    expect(storage.counts).toEqual({ list: 0, read: 0, head: 0, put: 0, delete: 0 })
    expect(storage.calls).toEqual([])
    expect(storage.waves()).toBe(0)
  })

  it('counts one wave per sequential call', async () => {
    const storage = await seeded()
    await storage.read('a')
    await storage.read('b')
    await storage.read('c')
    expect(storage.waves()).toBe(3)
  })

  it('counts parallel calls as one wave, even with no latency', async () => {
    const storage = await seeded()
    await Promise.all(['a', 'b', 'c', 'log/0.json', 'log/1.json'].map((p) => storage.read(p)))
    expect(storage.waves()).toBe(1)
  })

  it('counts a listing then parallel reads as two waves, with latency too', async () => {
    const storage = await seeded({ latencyMs: 5 })
    const files = await storage.list('log')
    await Promise.all(files.map((f) => storage.read(f.path)))
    expect(storage.counts).toMatchObject({ list: 1, read: 2 })
    expect(storage.waves()).toBe(2)
  })

  it('opens a new wave for a call that started after a call of the current wave ended', async () => {
    const gated = new GatedStorage()
    const storage = new CountingStorage(gated)
    const a = storage.read('a')
    const b = storage.read('b')
    gated.open('a')
    await a
    // c may depend on a's result: it is a second round trip though b is still in flight.
    const c = storage.read('c')
    expect(storage.waves()).toBe(2)
    const d = storage.read('d') // issued alongside c, still wave 2
    gated.open('b')
    gated.open('c')
    gated.open('d')
    await Promise.all([b, c, d])
    expect(storage.waves()).toBe(2)
    expect(storage.calls.map((x) => x.path)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('treats in-flight calls as never ending', async () => {
    const gated = new GatedStorage()
    const storage = new CountingStorage(gated)
    const a = storage.read('a')
    expect(storage.calls[0]!.endedAt).toBeUndefined()
    const b = storage.read('b')
    expect(storage.waves()).toBe(1)
    gated.open('a')
    gated.open('b')
    await Promise.all([a, b])
    expect(storage.waves()).toBe(1)
  })

  it('passes the inner capabilities through', () => {
    const inner = new MemoryStorage()
    Object.defineProperty(inner, 'capabilities', { value: { atomicCreate: false, list: true, write: true } })
    expect(new CountingStorage(inner).capabilities.atomicCreate).toBe(false)
  })
})
