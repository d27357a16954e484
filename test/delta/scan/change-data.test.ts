// Change data files store partition values as data files do, in the action only; the feed reads
// them from there, also for files that older writers stored them in.
import { Int64, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../../src/index.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { commitPath } from '../../../src/delta/log/log-path.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'

let parquet: ParquetCodec
beforeAll(async () => { parquet = await nodeParquetCodec() })

const ROWS = [{ id: 1n, p: 'a', q: 'x' }, { id: 2n, p: 'a', q: 'x' }, { id: 3n, p: 'b', q: 'y' }]

/** A table partitioned by p and q with the change data feed, after `delete('id = 1')` (version 1). */
async function deleted(configuration: Record<string, string> = {}): Promise<{ storage: MemoryStorage; cdcPath: string }> {
  const storage = new MemoryStorage()
  await writeDeltaLake('mem', ROWS, { storage, parquet, partitionBy: ['p', 'q'], configuration: { 'delta.enableChangeDataFeed': 'true', ...configuration } })
  await (await DeltaTable.open('mem', { storage, parquet })).delete('id = 1')
  const cdcPath = storage.paths().find((p) => p.startsWith('_change_data/'))!
  return { storage, cdcPath }
}

async function changes(storage: MemoryStorage): Promise<unknown[][]> {
  const t = await DeltaTable.open('mem', { storage, parquet })
  return (await t.changes({ startVersion: 1 })).toArray().map((r) => [Number(r.id), r.p, r.q, r._change_type])
}

async function columnsOf(storage: MemoryStorage, path: string): Promise<string[]> {
  const size = (await storage.head(path))!.size
  const table = await parquet.read({ size, read: (offset, length) => storage.read(path, { offset, length }) })
  return table.schema.fields.map((f) => f.name)
}

/** Replace the change data file with `table`, fixing the size its cdc action records. */
async function replaceCdcFile(storage: MemoryStorage, path: string, table: Table): Promise<void> {
  const oldSize = (await storage.head(path))!.size
  const bytes = await parquet.write(table)
  await storage.put(path, bytes)
  const text = new TextDecoder().decode(await storage.read(commitPath(1)))
  await storage.put(commitPath(1), new TextEncoder().encode(text.replace(`"size":${oldSize},"dataChange":false`, `"size":${bytes.length},"dataChange":false`)))
}

describe('change data files', () => {
  it('hold no partition columns; the feed takes the values from the cdc action', async () => {
    for (const configuration of [{}, { 'delta.columnMapping.mode': 'name' }] as Record<string, string>[]) {
      const { storage, cdcPath } = await deleted(configuration)
      const columns = await columnsOf(storage, cdcPath)
      expect(columns).toHaveLength(2)
      expect(columns).toContain('_change_type')
      expect(await changes(storage)).toEqual([[1, 'a', 'x', 'delete']])
    }
  })

  it('that hold the partition columns, as older writers wrote them, read the same: the action decides', async () => {
    const { storage, cdcPath } = await deleted()
    await replaceCdcFile(storage, cdcPath, new Table({
      id: vectorFromArray([1n], new Int64()),
      p: vectorFromArray(['stale'], new Utf8()),
      q: vectorFromArray(['stale'], new Utf8()),
      _change_type: vectorFromArray(['delete'], new Utf8()),
    }))
    expect(await columnsOf(storage, cdcPath)).toEqual(['id', 'p', 'q', '_change_type'])
    expect(await changes(storage)).toEqual([[1, 'a', 'x', 'delete']])
  })

  it('find partition columns named in another case than the schema, as scans do', async () => {
    const { storage } = await deleted()
    const text = new TextDecoder().decode(await storage.read(commitPath(0)))
    await storage.put(commitPath(0), new TextEncoder().encode(text.replace('"partitionColumns":["p","q"]', '"partitionColumns":["P","Q"]')))
    expect(await changes(storage)).toEqual([[1, 'a', 'x', 'delete']])
  })
})
