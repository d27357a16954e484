// The change data feed options through a worker pool whose workers sit behind comlink on a
// MessageChannel (every option cloned as across a real worker boundary): times as Date and as
// text, columns, predicate and allowOutOfRange reach the worker, and a table opened at an older
// version reads the changes after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Table } from 'apache-arrow'
import { DeltaTable } from '../../src/api/delta-table.js'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import { commitPath } from '../../src/delta/log/log-path.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { WorkerDeltaTable } from '../../src/worker/client.js'
import { objectStorageDescriptor } from '../../src/worker/descriptors.js'
import { createInProcessPool } from '../../src/worker/in-process.js'
import type { DeltaPool } from '../../src/worker/pool.js'

const T0 = Date.UTC(2024, 0, 1)
const HOUR = 3_600_000

let storage: MemoryStorage
let pool: DeltaPool
/** Each version's commit time: its commit file's modification time. */
const times: number[] = []

/** v0 creates ids 1, 2 (p = a, b); v1 appends id 3; v2 deletes id 1; v3 appends id 4; an hour apart. */
beforeAll(async () => {
  const parquet = await nodeParquetCodec()
  let clock = T0
  storage = new MemoryStorage({ now: () => clock })
  const opts = { storage, parquet }
  await writeDeltaLake('memory://t', [{ id: 1n, p: 'a' }, { id: 2n, p: 'b' }], { ...opts, partitionBy: ['p'], configuration: { 'delta.enableChangeDataFeed': 'true' } })
  clock = T0 + HOUR
  await writeDeltaLake('memory://t', [{ id: 3n, p: 'a' }], { ...opts, mode: 'append' })
  clock = T0 + 2 * HOUR
  await (await DeltaTable.open('memory://t', opts)).delete('id = 1')
  clock = T0 + 3 * HOUR
  await writeDeltaLake('memory://t', [{ id: 4n, p: 'b' }], { ...opts, mode: 'append' })
  for (let v = 0; v <= 3; v++) times.push((await storage.head(commitPath(v)))!.lastModified)
  pool = createInProcessPool({ loadCodec: () => nodeParquetCodec() }, { size: 2, via: 'channel' })
})

afterAll(() => pool?.terminate())

function changes(t: Table): [number, string, number][] {
  return t.toArray()
    .map((r) => [Number(r.id), r._change_type, Number(r._commit_version)] as [number, string, number])
    .sort((a, b) => a[2] - b[2] || a[0] - b[0])
}

async function open(version?: number): Promise<WorkerDeltaTable> {
  return WorkerDeltaTable.open(pool, objectStorageDescriptor(storage, undefined, { uri: 'memory://t' }), version === undefined ? {} : { version })
}

describe('WorkerDeltaTable.changes', () => {
  it('takes a range by time, as Date or text', async () => {
    const t = await open()
    try {
      expect(changes(await t.changes({ startingTimestamp: new Date(times[1]!), endingTimestamp: new Date(times[2]!).toISOString() })))
        .toEqual([[3, 'insert', 1], [1, 'delete', 2]])
      expect(changes(await t.changes({ startingTimestamp: '2024-01-01T02:30:00Z' }))).toEqual([[4, 'insert', 3]])
    } finally {
      await t.close()
    }
  })

  it('returns the columns asked for and the rows the predicate keeps', async () => {
    const t = await open()
    try {
      const c = await t.changes({ columns: ['id'], predicate: "p = 'a'" })
      expect(c.schema.fields.map((f) => f.name)).toEqual(['id', '_change_type', '_commit_version', '_commit_timestamp'])
      expect(changes(c)).toEqual([[1, 'insert', 0], [3, 'insert', 1], [1, 'delete', 2]])
    } finally {
      await t.close()
    }
  })

  it('refuses out-of-range starts, or gives an empty table with allowOutOfRange', async () => {
    const t = await open()
    try {
      await expect(t.changes({ startVersion: 8 })).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'InvalidArgument'))
      const empty = await t.changes({ startVersion: 8, allowOutOfRange: true })
      expect(empty.numRows).toBe(0)
      expect(empty.schema.fields.map((f) => f.name)).toEqual(['id', 'p', '_change_type', '_commit_version', '_commit_timestamp'])
      expect(changes(await t.changes({ startVersion: 3, endVersion: 9, allowOutOfRange: true }))).toEqual([[4, 'insert', 3]])
      // Refused on the page's thread too, as in the worker.
      await expect(t.changes({ startVersion: 1, startingTimestamp: new Date(T0) })).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'InvalidArgument'))
    } finally {
      await t.close()
    }
  })

  it('reads the changes after the version the table was opened at', async () => {
    const t = await open(1)
    try {
      expect(t.version).toBe(1)
      expect(changes(await t.changes({ startVersion: 0, endVersion: 3 }))).toEqual([[1, 'insert', 0], [2, 'insert', 0], [3, 'insert', 1], [1, 'delete', 2], [4, 'insert', 3]])
      expect(changes(await t.changes({ startVersion: 2 }))).toEqual([[1, 'delete', 2], [4, 'insert', 3]])
    } finally {
      await t.close()
    }
  })
})
