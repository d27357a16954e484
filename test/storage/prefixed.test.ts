import { describe, expect, it } from 'vitest'
import { MemoryStorage } from '../../src/storage/memory.js'
import { PrefixedStorage } from '../../src/storage/prefixed.js'
import { describeSignalContract, describeStorageContract, expectDeltaError } from './storage-contract.js'

describeStorageContract('PrefixedStorage over MemoryStorage', async () => ({
  storage: new PrefixedStorage(new MemoryStorage(), 'bucket/tables/t1'),
}))
describeSignalContract('PrefixedStorage over MemoryStorage', async () => ({
  storage: new PrefixedStorage(new MemoryStorage(), 'bucket/tables/t1'),
}))

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('PrefixedStorage', () => {
  it('maps paths into the prefix and strips it from results', async () => {
    const inner = new MemoryStorage()
    await inner.put('tables/t1/_delta_log/0.json', bytes('t1'))
    await inner.put('tables/t1/_delta_log/1.json', bytes('t1b'))
    await inner.put('tables/t10/_delta_log/0.json', bytes('t10'))
    await inner.put('tables/t1.json', bytes('beside'))
    const storage = new PrefixedStorage(inner, '/tables/t1/')
    expect(storage.prefix).toBe('tables/t1/')
    expect((await storage.list('_delta_log')).map((f) => f.path)).toEqual(['_delta_log/0.json', '_delta_log/1.json'])
    expect((await storage.list('_delta_log', { startAfter: '_delta_log/0.json' })).map((f) => f.path)).toEqual(['_delta_log/1.json'])
    expect(await storage.list('')).toEqual([])
    expect(await storage.head('_delta_log/1.json')).toMatchObject({ path: '_delta_log/1.json', size: 3 })
    await storage.put('_delta_log/2.json', bytes('new'), { ifAbsent: true })
    expect(inner.paths()).toContain('tables/t1/_delta_log/2.json')
    await storage.delete('_delta_log/0.json')
    expect(await inner.head('tables/t1/_delta_log/0.json')).toBeUndefined()
    expect(new TextDecoder().decode(await storage.read('_delta_log/1.json', { offset: 1, length: 2 }))).toBe('1b')
  })

  it('is transparent with an empty prefix', async () => {
    const inner = new MemoryStorage()
    await inner.put('a/b', bytes('x'))
    const storage = new PrefixedStorage(inner, '')
    expect(storage.prefix).toBe('')
    expect((await storage.list('a')).map((f) => f.path)).toEqual(['a/b'])
  })

  it('refuses prefixes with dot-dot or empty parts', () => {
    for (const bad of ['a/../b', '..', 'a//b', './a']) {
      expect(() => new PrefixedStorage(new MemoryStorage(), bad)).toThrow(/Invalid storage prefix/)
    }
  })

  it('keeps the inner errors', async () => {
    const storage = new PrefixedStorage(new MemoryStorage(), 'x')
    await expectDeltaError(storage.read('missing'), 'NotFound')
  })
})
