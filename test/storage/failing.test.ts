import { describe, expect, it } from 'vitest'
import { DeltaError } from '../../src/delta/engine/errors.js'
import type { Storage } from '../../src/delta/engine/storage.js'
import { FailingStorage, isInjectedFailure } from '../../src/storage/failing.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { describeSignalContract, describeStorageContract, expectDeltaError } from './storage-contract.js'

describeStorageContract('FailingStorage without failAt', async () => ({ storage: new FailingStorage(new MemoryStorage()) }))
describeSignalContract('FailingStorage without failAt', async () => ({ storage: new FailingStorage(new MemoryStorage()) }))

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const decode = (b: Uint8Array): string => new TextDecoder().decode(b)

/** A miniature commit: stage a data file, then create the commit that names it. */
async function writeVersion(storage: Storage, version: number): Promise<void> {
  const name = `_delta_log/${String(version).padStart(20, '0')}.json`
  const data = `part-${version}.parquet`
  await storage.put(data, bytes('PAR1'))
  if ((await storage.head(name)) !== undefined) throw new DeltaError('FileAlreadyExists', name)
  await storage.put(name, bytes(`{"add":{"path":"${data}"}}`), { ifAbsent: true })
}

describe('FailingStorage', () => {
  it('never fails without failAt, and counts every call', async () => {
    const storage = new FailingStorage(new MemoryStorage())
    await writeVersion(storage, 0)
    expect(storage.calls).toBe(3)
    expect(storage.failures).toBe(0)
  })

  it('fails only the n-th call, with an Internal error naming n', async () => {
    const storage = new FailingStorage(new MemoryStorage(), { failAt: 2 })
    await storage.put('a', bytes('a'))
    const error = await expectDeltaError(storage.read('a'), 'Internal')
    expect(error.message).toBe('injected failure at call 2')
    expect(isInjectedFailure(error)).toBe(true)
    expect(decode(await storage.read('a'))).toBe('a')
    expect(storage.calls).toBe(3)
    expect(storage.failures).toBe(1)
  })

  it('counts only the listed operations', async () => {
    const inner = new MemoryStorage()
    const storage = new FailingStorage(inner, { failAt: 2, ops: ['put'] })
    await storage.put('a', bytes('a'))
    await storage.read('a')
    await storage.head('a')
    await storage.list('')
    expect(storage.calls).toBe(1)
    await expectDeltaError(storage.put('b', bytes('b')), 'Internal')
    expect(await inner.head('b')).toBeUndefined()
  })

  it('performs the write before failing with failAfterWrite', async () => {
    const inner = new MemoryStorage()
    const storage = new FailingStorage(inner, { failAt: 1, failAfterWrite: true })
    await expectDeltaError(storage.put('a', bytes('landed'), { ifAbsent: true }), 'Internal')
    expect(decode(await inner.read('a'))).toBe('landed')
    const deleting = new FailingStorage(inner, { failAt: 1, failAfterWrite: true })
    await expectDeltaError(deleting.delete('a'), 'Internal')
    expect(await inner.head('a')).toBeUndefined()
  })

  it('fails a read before it happens, even with failAfterWrite', async () => {
    const inner = new MemoryStorage()
    await inner.put('a', bytes('a'))
    const storage = new FailingStorage(inner, { failAt: 1, failAfterWrite: true })
    const error = await expectDeltaError(storage.read('a'), 'Internal')
    expect(isInjectedFailure(error)).toBe(true)
  })

  it('keeps failing after the first failure when sticky', async () => {
    const storage = new FailingStorage(new MemoryStorage(), { failAt: 2, sticky: true })
    await storage.put('a', bytes('a'))
    await expectDeltaError(storage.read('a'), 'Internal')
    const later = await expectDeltaError(storage.read('a'), 'Internal')
    expect(later.message).toBe('injected failure at call 3')
    expect(storage.failures).toBe(2)
  })

  it('refuses a failAt that is not a positive integer', () => {
    for (const failAt of [0, -1, 1.5, Number.NaN]) {
      expect(() => new FailingStorage(new MemoryStorage(), { failAt })).toThrow(DeltaError)
    }
  })

  it('tells injected failures from real ones', () => {
    expect(isInjectedFailure(new DeltaError('Internal', 'disk on fire'))).toBe(false)
    expect(isInjectedFailure(new DeltaError('NotFound', 'injected failure at call 1'))).toBe(false)
    expect(isInjectedFailure(new Error('injected failure at call 1'))).toBe(false)
  })

  it('supports the loop: a write failing at any call leaves the last version intact', async () => {
    const probe = new FailingStorage(new MemoryStorage())
    await writeVersion(probe, 0)
    const total = probe.calls
    expect(total).toBe(3)
    for (const failAfterWrite of [false, true]) {
      for (let n = 1; n <= total; n++) {
        const inner = new MemoryStorage()
        await writeVersion(inner, 0)
        const storage = new FailingStorage(inner, { failAt: n, failAfterWrite })
        const error: unknown = await writeVersion(storage, 1).then(() => undefined, (e: unknown) => e)
        expect(isInjectedFailure(error), `call ${n}`).toBe(true)
        const commits = (await inner.list('_delta_log')).map((f) => f.path)
        // Only a lost acknowledgement of the commit itself may leave version 1 behind.
        const landed = failAfterWrite && n === total
        expect(commits).toHaveLength(landed ? 2 : 1)
        expect(decode(await inner.read(commits[0]!))).toContain('part-0.parquet')
      }
    }
  })
})
