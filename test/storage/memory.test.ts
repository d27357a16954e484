import { describe, expect, it } from 'vitest'
import { MemoryStorage } from '../../src/storage/memory.js'
import { describeSignalContract, describeStorageContract } from './storage-contract.js'

describeStorageContract('MemoryStorage', async () => ({ storage: new MemoryStorage() }))
describeSignalContract('MemoryStorage', async () => ({ storage: new MemoryStorage() }))

describe('MemoryStorage', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

  it('gives strictly increasing write times even when the clock stands still or goes back', async () => {
    const ticks = [1000, 1000, 999, 1005, 1005]
    const storage = new MemoryStorage({ now: () => ticks.shift() ?? 0 })
    for (const name of ['a', 'b', 'c', 'd', 'e']) await storage.put(name, bytes(name))
    const times = (await storage.list('')).map((f) => f.lastModified)
    expect(times).toEqual([1000, 1001, 1002, 1005, 1006])
  })

  it('uses the wall clock by default', async () => {
    const before = Date.now()
    const storage = new MemoryStorage()
    await storage.put('a', bytes('a'))
    await storage.put('b', bytes('b'))
    const [a, b] = await storage.list('')
    expect(a!.lastModified).toBeGreaterThanOrEqual(before)
    expect(b!.lastModified).toBeGreaterThan(a!.lastModified)
  })

  it('returns copies that callers may change', async () => {
    const storage = new MemoryStorage()
    await storage.put('f', bytes('abc'))
    const first = await storage.read('f')
    first[0] = 0
    expect(new TextDecoder().decode(await storage.read('f'))).toBe('abc')
  })

  it('reports every stored path, sorted', async () => {
    const storage = new MemoryStorage()
    for (const p of ['z', 'a/b/c', 'a/b']) await storage.put(p, bytes(p))
    await storage.delete('z')
    expect(storage.paths()).toEqual(['a/b', 'a/b/c'])
  })
})
