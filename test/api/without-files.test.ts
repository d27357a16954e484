// Tables opened withoutFiles: the open reads no file state, and every question about files
// reads the checkpoint again, keeping only what its filter may match. The answers must be those
// of a table opened with its files, in this thread and through a worker pool alike.
import { Table, tableFromArrays } from 'apache-arrow'
import { afterAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../src/api/delta-table.js'
import type { TableApi } from '../../src/api/table-api.js'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import type { ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import { writeV2Checkpoint } from '../../src/delta/checkpoint/write-v2.js'
import { loadSnapshot } from '../../src/delta/log/snapshot.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { CountingStorage } from '../../src/storage/counting.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { WorkerDeltaTable } from '../../src/worker/client.js'
import { objectStorageDescriptor } from '../../src/worker/descriptors.js'
import { createInProcessPool } from '../../src/worker/in-process.js'
import type { DeltaPool } from '../../src/worker/pool.js'

let parquet: ParquetCodec
let pool: DeltaPool | undefined
afterAll(async () => pool?.terminate())

const REGIONS = ['EU', 'US', 'APAC', 'LATAM']

/** A partitioned table of 12 commits (so a checkpoint at 10), then a v2 checkpoint in 3 sidecars at the end. */
async function buildTable(): Promise<MemoryStorage> {
  parquet ??= await nodeParquetCodec()
  const storage = new MemoryStorage()
  for (let v = 0; v < 12; v++) {
    const ids = Array.from({ length: 8 }, (_, i) => v * 8 + i)
    await writeDeltaLake('memory://t', tableFromArrays({ id: BigInt64Array.from(ids, BigInt), region: ids.map((i) => REGIONS[i % 4]!) }), {
      storage, parquet, mode: 'append', partitionBy: ['region'],
      configuration: { 'delta.checkpointPolicy': 'v2', 'delta.checkpointInterval': '10' },
    })
  }
  await (await DeltaTable.open('memory://t', { storage, parquet })).delete('id < 5')
  const engine = { storage, parquet }
  await writeV2Checkpoint(engine, await loadSnapshot(engine, undefined, { tombstones: true }), { sidecars: 3 })
  await writeDeltaLake('memory://t', tableFromArrays({ id: BigInt64Array.from([1000n]), region: ['EU'] }), { storage, parquet, mode: 'append' })
  return storage
}

type Mode = 'in-process' | 'worker'

async function open(mode: Mode, storage: MemoryStorage, withoutFiles: boolean): Promise<TableApi> {
  if (mode === 'in-process') return DeltaTable.open('memory://t', { storage, parquet, withoutFiles })
  pool ??= createInProcessPool({ loadCodec: () => nodeParquetCodec() }, { size: 2, via: 'channel' })
  return WorkerDeltaTable.open(pool, objectStorageDescriptor(storage, undefined, { uri: 'memory://t' }), { withoutFiles })
}

const ids = (t: Table): number[] => Array.from(t.getChild('id')!.toArray() as BigInt64Array, Number).sort((a, b) => a - b)
const paths = (files: { path: string }[]): string[] => files.map((f) => f.path).sort()

describe.each(['in-process', 'worker'] as Mode[])('a table opened withoutFiles (%s)', (mode) => {
  it('answers every question about files as a table opened with them does', async () => {
    const storage = await buildTable()
    const full = await open(mode, storage, false)
    const lazy = await open(mode, storage, true)
    expect(lazy.version).toBe(full.version)
    expect(() => lazy.numFiles).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
    expect(await lazy.countFiles()).toBe(full.numFiles)
    expect(await lazy.countFiles({ filter: "region = 'EU'" })).toBe(await full.countFiles({ filter: "region = 'EU'" }))
    expect(paths(await lazy.files())).toEqual(paths(await full.files()))
    const eu = await lazy.files({ filter: "region = 'EU'" })
    expect(eu.length).toBeGreaterThan(0)
    expect(eu.every((f) => f.partitionValues['region'] === 'EU')).toBe(true)
    expect(paths(eu)).toEqual(paths(await full.files({ filter: "region = 'EU'" })))
    // Stats decide too: a file of ids above 90 cannot hold id < 3.
    expect(paths(await lazy.files({ filter: 'id > 90' }))).toEqual(paths(await full.files({ filter: 'id > 90' })))
    expect(ids(await lazy.toArrow({ filter: "region = 'US' AND id > 20" }))).toEqual(ids(await full.toArrow({ filter: "region = 'US' AND id > 20" })))
    expect(ids(await lazy.toArrow())).toEqual(ids(await full.toArrow()))
    const batches = []
    for await (const b of lazy.toBatches({ filter: "region = 'APAC'" })) batches.push(b)
    expect(ids(new Table(batches))).toEqual(ids(await full.toArrow({ filter: "region = 'APAC'" })))
    expect(await lazy.count()).toBe(await full.count())
    expect((await lazy.partitions()).length).toBe(4)
    expect((await lazy.filesTable({ filter: "region = 'LATAM'" })).numRows).toBe(await full.countFiles({ filter: "region = 'LATAM'" }))
  })

  it('stays withoutFiles when it moves to another version', async () => {
    const storage = await buildTable()
    const lazy = await open(mode, storage, true)
    await lazy.loadAsVersion(3)
    const full = await open(mode, storage, false)
    await full.loadAsVersion(3)
    expect(await lazy.countFiles()).toBe(full.numFiles)
    expect(full.numFiles).toBe(16)
    expect(() => lazy.numFiles).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
  })
})

describe('opening withoutFiles', () => {
  it('reads no sidecar, and a question reads them again, keeping only what may match', async () => {
    const storage = new CountingStorage(await buildTable())
    const lazy = await DeltaTable.open('memory://t', { storage, parquet, withoutFiles: true })
    expect(storage.calls.filter((c) => c.op === 'read' && c.path.includes('_sidecars/'))).toHaveLength(0)
    storage.reset()
    const files = await lazy.files({ filter: "region = 'EU'" })
    expect(storage.calls.filter((c) => c.op === 'read' && c.path.includes('_sidecars/')).length).toBeGreaterThanOrEqual(3)
    expect(files.every((f) => f.partitionValues['region'] === 'EU')).toBe(true)
  })

  it('refuses a filter that does not parse, naming it', async () => {
    const lazy = await DeltaTable.open('memory://t', { storage: await buildTable(), parquet, withoutFiles: true })
    await expect(lazy.files({ filter: 'nope >' })).rejects.toSatisfy((e: unknown) => isDeltaError(e, 'InvalidArgument'))
  })
})
