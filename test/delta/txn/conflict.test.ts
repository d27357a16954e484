import { Table, Utf8, Int64, vectorFromArray } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake, type Storage } from '../../../src/index.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'

let parquet: ParquetCodec
beforeAll(async () => { parquet = await nodeParquetCodec() })

const data = (p: string[], v: number[]) => new Table({ p: vectorFromArray(p, new Utf8()), v: vectorFromArray(v.map(BigInt), new Int64()) })

/** A storage view whose next commit waits until released, to order two writers exactly. */
function gatedCommits(inner: Storage): { storage: Storage; held: Promise<void>; release: () => void } {
  let release!: () => void
  let arrived!: () => void
  const gate = new Promise<void>((r) => { release = r })
  const held = new Promise<void>((r) => { arrived = r })
  const storage: Storage = {
    capabilities: inner.capabilities,
    list: (dir, o) => inner.list(dir, o),
    read: (path, range) => inner.read(path, range),
    head: (path) => inner.head(path),
    delete: (path) => inner.delete(path),
    put: async (path, bytes, opts) => {
      if (opts?.ifAbsent && /_delta_log\/\d{20}\.json$/.test(path)) {
        arrived()
        await gate
      }
      return inner.put(path, bytes, opts)
    },
  }
  return { storage, held, release }
}

async function tableWithPartitions(): Promise<MemoryStorage> {
  const storage = new MemoryStorage()
  await writeDeltaLake('mem', data(['a', 'a', 'b'], [1, 2, 3]), { storage, parquet, partitionBy: ['p'] })
  return storage
}

describe('conflicting writers', () => {
  it('a winning commit that is not UTF-8 stops the loser with InvalidLog, not a guessed conflict check', async () => {
    const storage = await tableWithPartitions()
    const gated = gatedCommits(storage)
    const deleter = await DeltaTable.open('mem', { storage: gated.storage, parquet })
    const deleting = deleter.delete("p = 'a'")
    await gated.held
    const commit = new TextEncoder().encode('{"commitInfo":{"operation":"X\u00e9"}}\n')
    const latin1 = Uint8Array.from([...commit].flatMap((b, i, all) => (b === 0xc3 && all[i + 1] === 0xa9 ? [0xe9] : b === 0xa9 && all[i - 1] === 0xc3 ? [] : [b])))
    await storage.put('_delta_log/00000000000000000001.json', latin1, { ifAbsent: true })
    gated.release()
    await expect(deleting).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('00000000000000000001.json') })
  })

  it('a delete that loses the race to an append in its partition fails under Serializable', async () => {
    const storage = await tableWithPartitions()
    const gated = gatedCommits(storage)
    const deleter = await DeltaTable.open('mem', { storage: gated.storage, parquet })
    const deleting = deleter.delete("p = 'a'", { isolationLevel: 'Serializable' })
    await gated.held
    await writeDeltaLake('mem', data(['a'], [9]), { storage, parquet, mode: 'append' })
    gated.release()
    await expect(deleting).rejects.toMatchObject({ code: 'CommitConflict', message: expect.stringContaining('version 1') })
    const after = await DeltaTable.open('mem', { storage, parquet })
    expect(after.version).toBe(1)
    expect((await after.toArrow()).numRows).toBe(4)
  })

  it('the same race commits after the append under WriteSerializable', async () => {
    const storage = await tableWithPartitions()
    const gated = gatedCommits(storage)
    const deleter = await DeltaTable.open('mem', { storage: gated.storage, parquet })
    const deleting = deleter.delete("p = 'a'")
    await gated.held
    await writeDeltaLake('mem', data(['a'], [9]), { storage, parquet, mode: 'append' })
    gated.release()
    expect((await deleting).version).toBe(2)
    const after = await DeltaTable.open('mem', { storage, parquet })
    // The delete is serialized after the blind append it did not see: that row stays.
    expect((await after.toArrow()).toArray().map((r) => Number(r.v)).sort()).toEqual([3, 9])
  })

  it('two deletes of the same file conflict', async () => {
    const storage = await tableWithPartitions()
    const gated = gatedCommits(storage)
    const first = await DeltaTable.open('mem', { storage: gated.storage, parquet })
    const deleting = first.delete('v = 1')
    await gated.held
    await (await DeltaTable.open('mem', { storage, parquet })).delete('v = 2')
    gated.release()
    await expect(deleting).rejects.toMatchObject({ code: 'CommitConflict' })
  })
})
