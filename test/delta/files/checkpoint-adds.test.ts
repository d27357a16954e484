import { ActiveFiles } from '../../../src/delta/files/active-files.js'
import { describe, expect, it } from 'vitest'
import { plainAdd, type AddAction } from '../../../src/delta/model/actions.js'
import { FileCollector } from '../../../src/delta/files/collect-files.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { readCheckpoint } from '../../../src/delta/checkpoint/read.js'
import { writeCheckpoint } from '../../../src/delta/checkpoint/write.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { addAction, createActions, removeAction, writeCommit } from '../../helpers/log-builder.js'

const stats = (n: number): string => JSON.stringify({ numRecords: n, minValues: { id: 0 }, maxValues: { id: n - 1 }, nullCount: { id: 0 } })
const dv = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 1, sizeInBytes: 36, cardinality: 2 }

/** A table checkpointed at version 1 (files a, b, c, p=1/d), then commits that touch a, b and c. */
async function checkpointedTable(): Promise<{ storage: MemoryStorage; engine: { storage: MemoryStorage; parquet: Awaited<ReturnType<typeof nodeParquetCodec>> } }> {
  const storage = new MemoryStorage()
  const engine = { storage, parquet: await nodeParquetCodec() }
  await writeCommit(storage, 0, createActions({ columns: ['id', 'p'] }))
  await writeCommit(storage, 1, [
    addAction('a', { stats: stats(1) }),
    addAction('b', { stats: stats(2) }),
    addAction('c', { stats: stats(3) }),
    addAction('d', { stats: stats(4), partitionValues: { p: '1' }, tags: { k: 'v' } }),
  ])
  await writeCheckpoint(engine, await loadSnapshot(engine, 1, { tombstones: true }))
  await writeCommit(storage, 2, [removeAction('a')])
  await writeCommit(storage, 3, [addAction('b', { size: 999, stats: stats(9) })])
  await writeCommit(storage, 4, [removeAction('c'), addAction('c', { deletionVector: dv, stats: stats(3) })])
  return { storage, engine }
}

const CHECKPOINT = { version: 1, format: 'classic' as const, files: [{ path: '_delta_log/00000000000000000001.checkpoint.parquet', size: 0, lastModified: 0 }] }

/** The checkpoint's adds whose keys are not in `decided`, gathered as a snapshot gathers them. */
async function liveAdds(engine: Engine, decided: Set<string>): Promise<AddAction[]> {
  const collector = new FileCollector(Promise.resolve(decided))
  await readCheckpoint(engine, CHECKPOINT, { adds: collector })
  return ActiveFiles.fromRuns(collector.finish().runs).toArray()
}

describe('adds read from a checkpoint', () => {
  it('replay leaves out the files newer commits decided, and keeps the rest exactly', async () => {
    const { engine } = await checkpointedTable()
    const snapshot = await loadSnapshot(engine)
    const byPath = new Map(snapshot.files.map((f) => [`${f.path}${f.deletionVector ? '+dv' : ''}`, plainAdd(f)]))
    expect([...byPath.keys()].sort()).toEqual(['b', 'c+dv', 'd'])
    expect(byPath.get('b')).toMatchObject({ size: 999, stats: stats(9) })
    expect(byPath.get('d')).toEqual({
      kind: 'add', path: 'd', partitionValues: { p: '1' }, size: 100, modificationTime: 1, dataChange: false, stats: stats(4),
      statsParsed: null, tags: { k: 'v' }, deletionVector: null, baseRowId: null, defaultRowCommitVersion: null, clusteringProvider: null,
    })
  })

  it('builds only the adds whose key is not decided, reading stats on demand', async () => {
    const { engine } = await checkpointedTable()
    const cp = await readCheckpoint(engine, CHECKPOINT)
    expect(cp.others.map((a) => a.kind).sort()).toEqual(['metaData', 'protocol'])
    expect((await liveAdds(engine, new Set())).map((a) => a.path)).toEqual(['a', 'b', 'c', 'd'])
    const adds = await liveAdds(engine, new Set(['a', 'c']))
    expect(adds.map((a) => a.path)).toEqual(['b', 'd'])
    expect(adds.map((a) => a.stats)).toEqual([stats(2), stats(4)])
    // Unpartitioned adds share one frozen empty object: nothing may write into it.
    expect(adds[0]!.partitionValues).toEqual({})
    expect(Object.isFrozen(adds[0]!.partitionValues)).toBe(true)
  })

  it('survive JSON and structured clone through plainAdd, and take a new stats value', async () => {
    const { engine } = await checkpointedTable()
    const [b] = await liveAdds(engine, new Set(['a']))
    expect(JSON.parse(JSON.stringify(b))).toEqual(JSON.parse(JSON.stringify(plainAdd(b!))))
    expect(structuredClone(plainAdd(b!)).stats).toBe(stats(2))
    b!.stats = null
    expect(b!.stats).toBeNull()
    expect(plainAdd(b!).stats).toBeNull()
  })
})
