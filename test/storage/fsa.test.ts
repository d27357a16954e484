// FsaStorage in Node, over an in-memory File System Access folder (the browser suites run it on
// the Origin Private File System of Chromium): the shared Storage contract, exact ranged reads,
// the path rule and signals.
import { describe, expect, it } from 'vitest'
import { FsaStorage, type LockManagerLike } from '../../src/storage/fsa.js'
import { FakeFolder } from './fake-fsa.js'
import { describeSignalContract, describeStorageContract, expectDeltaError } from './storage-contract.js'

/** Web Locks for one thread: callbacks for one name run one after another. */
function locks(): LockManagerLike {
  const tails = new Map<string, Promise<unknown>>()
  return {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      const run = (tails.get(name) ?? Promise.resolve()).then(callback, callback)
      tails.set(name, run.catch(() => undefined))
      return run
    },
  }
}

describeStorageContract('FsaStorage over an in-memory folder', async () => ({ storage: new FsaStorage(new FakeFolder('t'), { locks: locks() }) }))
describeSignalContract('FsaStorage over an in-memory folder', async () => ({ storage: new FsaStorage(new FakeFolder('t'), { locks: locks() }) }))

describe('FsaStorage', () => {
  it('reads a range past the end as InvalidData, never fewer bytes', async () => {
    const root = new FakeFolder('t')
    const storage = new FsaStorage(root, { locks: null })
    await storage.put('part.parquet', new Uint8Array(64))
    await expectDeltaError(storage.read('part.parquet', { offset: 60, length: 8 }), 'InvalidData')
    expect(await storage.read('part.parquet', { offset: 56, length: 8 })).toHaveLength(8)
  })

  it('asks the folder for no entry name it would refuse', async () => {
    const root = new FakeFolder('t')
    const storage = new FsaStorage(root, { locks: null })
    for (const bad of ['..\\x', 'a\\b', '%2e%2e/x', '../x']) await expectDeltaError(storage.read(bad), 'InvalidArgument')
    expect(root.asked).toEqual([])
  })
})
