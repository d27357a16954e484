import { describe, expect, it } from 'vitest'
import type { Engine } from '../../../src/delta/engine/engine.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { CountingStorage } from '../../../src/storage/counting.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { addAction, createActions, removeAction, writeCommit, writeJsonCheckpoint } from '../../helpers/log-builder.js'

// These logs need no Parquet: the checkpoints are v2 JSON ones.
const noParquet: ParquetCodec = {
  read: () => Promise.reject(new Error('no Parquet expected')),
  write: () => Promise.reject(new Error('no Parquet expected')),
}

async function tableWithCheckpoint(commitsAfter: number): Promise<MemoryStorage> {
  const storage = new MemoryStorage()
  await writeCommit(storage, 0, createActions())
  for (let v = 1; v <= 10; v++) await writeCommit(storage, v, [addAction(`f${v}.parquet`)])
  const cpFiles = Array.from({ length: 10 }, (_, i) => addAction(`f${i + 1}.parquet`))
  await writeJsonCheckpoint(storage, 10, [...createActions().slice(1), ...cpFiles])
  for (let v = 11; v <= 10 + commitsAfter; v++) await writeCommit(storage, v, [addAction(`f${v}.parquet`), removeAction(`f${v - 10}.parquet`)])
  return storage
}

describe('loadSnapshot', () => {
  it('replays a checkpoint and the commits after it', async () => {
    const storage = await tableWithCheckpoint(20)
    const snap = await loadSnapshot({ storage, parquet: noParquet })
    expect(snap.version).toBe(30)
    expect(snap.segment.checkpoint?.version).toBe(10)
    expect(snap.files.map((f) => f.path).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `f${i + 21}.parquet`).sort())
  })

  it('opens with a checkpoint and 20 commits in 3 request waves, commits read in parallel', async () => {
    const storage = new CountingStorage(await tableWithCheckpoint(20), { latencyMs: 5 })
    const engine: Engine = { storage, parquet: noParquet }
    await loadSnapshot(engine)
    expect(storage.counts.list).toBe(1)
    expect(storage.counts.read).toBe(1 + 1 + 20) // _last_checkpoint, checkpoint, commits
    // _last_checkpoint, then the listing from the checkpoint on, then checkpoint and commits at once.
    expect(storage.waves()).toBe(3)
  })

  it('starts reading the checkpoint _last_checkpoint names while listing', async () => {
    const inner = await tableWithCheckpoint(20)
    const cp = (await inner.list('_delta_log')).find((f) => f.path.includes('.checkpoint.'))!
    const hint = { version: 10, size: 13, sizeInBytes: cp.size, v2Checkpoint: { path: cp.path.split('/').pop(), sizeInBytes: cp.size } }
    await inner.put('_delta_log/_last_checkpoint', new TextEncoder().encode(JSON.stringify(hint)))
    const storage = new CountingStorage(inner, { latencyMs: 5 })
    const snap = await loadSnapshot({ storage, parquet: noParquet })
    expect(snap.files).toHaveLength(10)
    const list = storage.calls.find((c) => c.op === 'list')!
    const checkpoint = storage.calls.find((c) => c.path === cp.path)!
    expect(checkpoint.startSeq).toBeLessThan(list.endSeq!)
    expect(storage.counts.read).toBe(1 + 1 + 20)
  })

  it('time travels to a version before the checkpoint', async () => {
    const storage = await tableWithCheckpoint(5)
    const snap = await loadSnapshot({ storage, parquet: noParquet }, 3)
    expect(snap.segment.checkpoint).toBeUndefined()
    expect(snap.files.map((f) => f.path)).toEqual(['f1.parquet', 'f2.parquet', 'f3.parquet'])
  })

  it('refuses a log without protocol or metadata', async () => {
    const storage = new MemoryStorage()
    await writeCommit(storage, 0, createActions().filter((a) => !('protocol' in a)))
    await expect(loadSnapshot({ storage, parquet: noParquet })).rejects.toMatchObject({ code: 'InvalidLog' })
    const storage2 = new MemoryStorage()
    await writeCommit(storage2, 0, createActions().filter((a) => !('metaData' in a)))
    await expect(loadSnapshot({ storage: storage2, parquet: noParquet })).rejects.toMatchObject({ code: 'InvalidLog' })
  })

  it('refuses unknown reader features by name', async () => {
    const storage = new MemoryStorage()
    await writeCommit(storage, 0, createActions({ readerFeatures: ['deletionVectors', 'futureThing'] }))
    await expect(loadSnapshot({ storage, parquet: noParquet })).rejects.toMatchObject({ code: 'UnsupportedFeature', message: expect.stringContaining("'futureThing'") })
    const storage2 = new MemoryStorage()
    await writeCommit(storage2, 0, createActions({ reader: 4 }))
    await expect(loadSnapshot({ storage: storage2, parquet: noParquet })).rejects.toMatchObject({ code: 'UnsupportedFeature', message: expect.stringContaining('reader version 4') })
  })

  it('reports malformed commits with the file name', async () => {
    const storage = new MemoryStorage()
    await writeCommit(storage, 0, createActions())
    await storage.put('_delta_log/00000000000000000001.json', new TextEncoder().encode('{"add": {"path": 3}}\n'))
    await expect(loadSnapshot({ storage, parquet: noParquet })).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('00000000000000000001.json') })
  })

  it('refuses a commit that is not UTF-8 rather than miss a remove (a Latin-1 é)', async () => {
    const storage = new MemoryStorage()
    await writeCommit(storage, 0, [...createActions(), addAction('caf\u00e9.parquet'), addAction('other.parquet')])
    const remove = new TextEncoder().encode(JSON.stringify(removeAction('caf\u00e9.parquet')))
    const latin1 = Uint8Array.from([...remove].flatMap((b, i) => (b === 0xc3 && remove[i + 1] === 0xa9 ? [0xe9] : b === 0xa9 && remove[i - 1] === 0xc3 ? [] : [b])))
    await storage.put('_delta_log/00000000000000000001.json', Uint8Array.from([...new TextEncoder().encode('{"commitInfo":{}}\n'), ...latin1, 0x0a]))
    await expect(loadSnapshot({ storage, parquet: noParquet })).rejects.toMatchObject({
      code: 'InvalidLog', message: expect.stringMatching(/^_delta_log\/00000000000000000001\.json line 2: the file is not valid UTF-8/),
    })
  })

  it('refuses a version with two metaData actions, naming both lines', async () => {
    const storage = new MemoryStorage()
    const actions = createActions()
    await writeCommit(storage, 0, [...actions, actions[2]!])
    await expect(loadSnapshot({ storage, parquet: noParquet })).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('line 4: two metaData actions (lines 3 and 4)') })
  })

  it('refuses a protocol at reader version 3 without its readerFeatures list', async () => {
    const storage = new MemoryStorage()
    const [info, , meta] = createActions()
    await writeCommit(storage, 0, [info!, { protocol: { minReaderVersion: 3, minWriterVersion: 7, writerFeatures: [] } }, meta!])
    await expect(loadSnapshot({ storage, parquet: noParquet })).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('lists no readerFeatures') })
  })
})
