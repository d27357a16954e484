import { Table, Int64, vectorFromArray } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../../src/index.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { FailingStorage } from '../../../src/storage/failing.js'
import { MemoryStorage } from '../../../src/storage/memory.js'

let parquet: ParquetCodec
beforeAll(async () => { parquet = await nodeParquetCodec() })

const ids = (xs: number[]) => new Table({ id: vectorFromArray(xs.map(BigInt), new Int64()) })
const readIds = async (storage: MemoryStorage) => {
  const t = await DeltaTable.open('mem', { storage, parquet })
  return { version: t.version, ids: (await t.toArrow()).toArray().map((r) => Number(r.id)).sort((a, b) => a - b) }
}

/** A table at version 1 holding ids 1..3, in its own storage. */
async function base(): Promise<MemoryStorage> {
  const storage = new MemoryStorage()
  await writeDeltaLake('mem', ids([1, 2]), { storage, parquet })
  await writeDeltaLake('mem', ids([3]), { storage, parquet, mode: 'append' })
  return storage
}

type Op = (storage: FailingStorage) => Promise<unknown>
const operations: [string, Op, number[]][] = [
  ['append', (s) => writeDeltaLake('mem', ids([4, 5]), { storage: s, parquet, mode: 'append', targetFileSize: 1 }), [1, 2, 3, 4, 5]],
  ['overwrite', (s) => writeDeltaLake('mem', ids([7]), { storage: s, parquet, mode: 'overwrite' }), [7]],
  ['delete', async (s) => (await DeltaTable.open('mem', { storage: s, parquet })).delete('id = 2'), [1, 3]],
]

describe('a write that fails at any storage call', () => {
  for (const [name, op, expected] of operations) {
    it(`${name}: leaves the table at the old or the new version, never in between`, async () => {
      const probe = new FailingStorage(await base())
      await op(probe)
      const total = probe.calls
      expect(total).toBeGreaterThan(3)
      for (const failAfterWrite of [false, true]) {
        for (let n = 1; n <= total; n++) {
          const inner = await base()
          const failing = new FailingStorage(inner, { failAt: n, failAfterWrite })
          const outcome = await op(failing).then(() => 'ok', (e: unknown) => e)
          const state = await readIds(inner)
          if (state.version === 1) expect(state.ids, `n=${n}`).toEqual([1, 2, 3])
          else expect(state, `n=${n}`).toEqual({ version: 2, ids: expected })
          if (outcome !== 'ok' && state.version === 1) expect(outcome).toMatchObject({ name: 'DeltaError' })
        }
      }
    })
  }
})
