import { ActiveFiles } from '../../../src/delta/files/active-files.js'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { FileKeyHashes, fileKeyHash } from '../../../src/delta/files/file-keys.js'
import { writeCheckpoint } from '../../../src/delta/checkpoint/write.js'
import { loadSnapshot, type Snapshot } from '../../../src/delta/log/snapshot.js'
import { classicCheckpointPath, LAST_CHECKPOINT_PATH, padVersion } from '../../../src/delta/log/log-path.js'
import { plainAdd, type AddAction } from '../../../src/delta/model/actions.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { addAction, createActions, writeCommit, writeJsonCheckpoint } from '../../helpers/log-builder.js'

let parquet: ParquetCodec
beforeAll(async () => {
  parquet = await nodeParquetCodec()
})

const dv = (id: string) => ({ storageType: 'u', pathOrInlineDv: id, offset: 1, sizeInBytes: 36, cardinality: 2 })
const files = (n: number): object[] => Array.from({ length: n }, (_, i) => addAction(`part-${i}.parquet`))

/** A log of `n` files at version 1 and its snapshot, ready to checkpoint (possibly doctored). */
async function table(n = 5): Promise<{ engine: Engine; storage: MemoryStorage; snapshot: Snapshot }> {
  const storage = new MemoryStorage()
  const engine = { storage, parquet }
  await writeCommit(storage, 0, createActions())
  await writeCommit(storage, 1, files(n))
  return { engine, storage, snapshot: await loadSnapshot(engine, undefined, { tombstones: true }) }
}

/** Write a classic checkpoint of `snapshot` with its files replaced, then drop the commits it covers. */
async function checkpointWith(engine: Engine, storage: MemoryStorage, snapshot: Snapshot, adds: AddAction[]): Promise<void> {
  await writeCheckpoint(engine, { ...snapshot, files: ActiveFiles.of(adds) })
  await storage.delete('_delta_log/00000000000000000000.json')
  await storage.delete('_delta_log/00000000000000000001.json')
}

/** The bytes of a Parquet file holding only the `add` column of the checkpoint at `path`. */
async function addsOnly(storage: MemoryStorage, path: string): Promise<Uint8Array> {
  const bytes = await storage.read(path)
  const t = await parquet.read({ size: bytes.length, read: async (o, l) => bytes.slice(o, o + l) }, { columns: ['add'] })
  return parquet.write(t)
}

describe('a checkpoint adds each file once', () => {
  it('refuses a Parquet checkpoint that adds a file twice, naming the file and row', async () => {
    const { engine, storage, snapshot } = await table()
    const adds = snapshot.files.map(plainAdd)
    await checkpointWith(engine, storage, snapshot, [...adds, { ...adds[2]!, size: 7 }])
    await expect(loadSnapshot(engine)).rejects.toMatchObject({
      code: 'InvalidLog',
      message: expect.stringMatching(/00000000000000000001\.checkpoint\.parquet row \d+: the file 'part-2\.parquet' is added twice in one checkpoint \(also at .*checkpoint\.parquet row \d+\)/),
    })
  })

  it('refuses the same file spelled two ways, and keeps one path with two deletion vectors apart', async () => {
    const { engine, storage, snapshot } = await table()
    const adds = snapshot.files.map(plainAdd)
    await checkpointWith(engine, storage, snapshot, [...adds, { ...adds[1]!, path: 'part%2D1.parquet' }])
    await expect(loadSnapshot(engine)).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('added twice') })
    const other = await table()
    const more = other.snapshot.files.map(plainAdd)
    await checkpointWith(other.engine, other.storage, other.snapshot, [{ ...more[0]!, deletionVector: dv('one') as never }, ...more.slice(1)])
    expect((await loadSnapshot(other.engine)).files).toHaveLength(5)
  })

  it('refuses a file added twice even when a newer commit decides it', async () => {
    const { engine, storage, snapshot } = await table()
    const adds = snapshot.files.map(plainAdd)
    await checkpointWith(engine, storage, snapshot, [...adds, adds[0]!])
    await writeCommit(storage, 2, [{ remove: { path: adds[0]!.path, dataChange: true } }])
    await expect(loadSnapshot(engine)).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining("'part-0.parquet' is added twice") })
  })

  it('refuses a file added in two parts of a multi-part checkpoint', async () => {
    const { engine, storage, snapshot } = await table()
    await checkpointWith(engine, storage, snapshot, snapshot.files.map(plainAdd))
    const full = await storage.read(classicCheckpointPath(1))
    const adds = await addsOnly(storage, classicCheckpointPath(1))
    await storage.delete(classicCheckpointPath(1))
    await storage.delete(LAST_CHECKPOINT_PATH)
    const part = (i: number) => `_delta_log/${padVersion(1)}.checkpoint.000000000${i}.0000000002.parquet`
    await storage.put(part(1), full)
    await storage.put(part(2), adds)
    await expect(loadSnapshot(engine)).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringMatching(/checkpoint\.0000000002\.0000000002\.parquet row \d+: the file 'part-0\.parquet' is added twice/) })
    // Two parts each with the table's metaData and protocol.
    await storage.put(part(2), full)
    await expect(loadSnapshot(engine)).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringMatching(/holds two (metaData|protocol) actions/) })
  })

  it('refuses a JSON checkpoint that adds a file twice', async () => {
    const storage = new MemoryStorage()
    await writeCommit(storage, 0, createActions())
    await writeJsonCheckpoint(storage, 0, [...createActions().slice(1), ...files(3), addAction('part-1.parquet', { size: 5 })])
    await expect(loadSnapshot({ storage, parquet })).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining("'part-1.parquet' is added twice") })
  })

  it('names exactly the repeated hashes, small tables and large', () => {
    let seed = 7
    const next = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed
    }
    for (const n of [0, 1, 50, 70_000, 300_000]) {
      const keys = new FileKeyHashes(n)
      const all: number[] = []
      for (let i = 0; i < n; i++) {
        // Every 997th key repeats an earlier one; hashes span all 53 bits, bucket edges included.
        const h = i > 0 && i % 997 === 0 ? all[next() % all.length]! : i % 5000 === 1 ? 2 ** 53 - 1 - (i % 3) : next() * 0x200000 + (next() >>> 11)
        all.push(h)
        keys.add(h)
      }
      const counts = new Map<number, number>()
      for (const h of all) counts.set(h, (counts.get(h) ?? 0) + 1)
      const expected = [...counts].filter(([, c]) => c > 1).map(([h]) => h).sort((a, b) => a - b)
      expect([...(keys.repeatedHashes() ?? [])].sort((a, b) => a - b), `n=${n}`).toEqual(expected)
    }
  })

  it('finds a duplicate among 200,000 adds, and none in 200,000 distinct ones', () => {
    const keys = new FileKeyHashes(10)
    for (let i = 0; i < 200_000; i++) keys.add(fileKeyHash(`part-${i}-c000.snappy.parquet`, null))
    expect(keys.repeatedHashes()).toBeUndefined()
    keys.add(fileKeyHash('part-123456-c000.snappy.parquet', null))
    expect(keys.repeatedHashes()?.size).toBe(1)
    // Bytes straight from a column hash as the string does; a deletion vector makes another key.
    const bytes = new TextEncoder().encode('xxa-b.parquetyy')
    expect(fileKeyHash('a-b.parquet', null, bytes, 2, 13)).toBe(fileKeyHash('a-b.parquet', null))
    expect(fileKeyHash('a%2Db.parquet', null)).toBe(fileKeyHash('a-b.parquet', null))
    expect(fileKeyHash('a-b.parquet', dv('x') as never)).not.toBe(fileKeyHash('a-b.parquet', null))
  })
})

describe('checkpoint rows go through the action validator', () => {
  it('refuses a Parquet checkpoint add with a size that is no size, naming the row', async () => {
    const { engine, storage, snapshot } = await table()
    const adds = snapshot.files.map(plainAdd)
    await checkpointWith(engine, storage, snapshot, [...adds.slice(0, 3), { ...adds[3]!, size: -4 }, adds[4]!])
    await expect(loadSnapshot(engine)).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringMatching(/checkpoint\.parquet row \d+: add\.size must be a non-negative whole number, found -4/) })
  })

  it('refuses a Parquet checkpoint add without partition values', async () => {
    const { engine, storage, snapshot } = await table()
    const adds = snapshot.files.map(plainAdd)
    await checkpointWith(engine, storage, snapshot, [{ ...adds[0]!, partitionValues: null as never }, ...adds.slice(1)])
    await expect(loadSnapshot(engine)).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('add.partitionValues must be a map of strings, found null') })
  })

  it('refuses a checkpoint whose checkpointMetadata names another version', async () => {
    const storage = new MemoryStorage()
    await writeCommit(storage, 0, createActions())
    const name = await writeJsonCheckpoint(storage, 0, [...createActions().slice(1), ...files(2)])
    const text = new TextDecoder().decode(await storage.read(name)).replace('{"checkpointMetadata":{"version":0}}', '{"checkpointMetadata":{"version":4}}')
    await storage.put(name, new TextEncoder().encode(text))
    await expect(loadSnapshot({ storage, parquet })).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('checkpointMetadata.version is 4') })
  })
})

describe('sidecars', () => {
  /** A v2 JSON checkpoint at version 1 naming `sidecars` (each an adds-only file of `n` files). */
  async function withSidecars(names: { path: string; file: string; size?: number }[]): Promise<Engine> {
    const { engine, storage, snapshot } = await table()
    await checkpointWith(engine, storage, snapshot, snapshot.files.map(plainAdd))
    const adds = await addsOnly(storage, classicCheckpointPath(1))
    await storage.delete(classicCheckpointPath(1))
    await storage.delete(LAST_CHECKPOINT_PATH)
    for (const n of names) await storage.put(`_delta_log/_sidecars/${n.file}`, adds)
    const sidecars = names.map((n) => ({ sidecar: { path: n.path, sizeInBytes: n.size ?? adds.length, modificationTime: 1 } }))
    await writeJsonCheckpoint(storage, 1, [...createActions().slice(1), ...sidecars], false)
    await writeCommit(storage, 1, [])
    return engine
  }

  it('reads a v2 checkpoint through its sidecar, even when sizeInBytes is wrong', async () => {
    expect((await loadSnapshot(await withSidecars([{ path: 'a.parquet', file: 'a.parquet' }]))).files).toHaveLength(5)
    for (const size of [1, 100, 1_000_000]) {
      expect((await loadSnapshot(await withSidecars([{ path: 'a.parquet', file: 'a.parquet', size }]))).files, `size ${size}`).toHaveLength(5)
    }
  })

  it('refuses a sidecar named twice, however it is spelled', async () => {
    for (const second of ['a.parquet', '_delta_log/_sidecars/a.parquet', '%61.parquet', 's3://bucket/t/_delta_log/_sidecars/a.parquet']) {
      const engine = await withSidecars([{ path: 'a.parquet', file: 'a.parquet' }, { path: second, file: 'a.parquet' }])
      await expect(loadSnapshot(engine), second).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('is named twice') })
    }
  })

  it('refuses two sidecars that add the same files', async () => {
    const engine = await withSidecars([{ path: 'a.parquet', file: 'a.parquet' }, { path: 'b.parquet', file: 'b.parquet' }])
    await expect(loadSnapshot(engine)).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringMatching(/_sidecars\/b\.parquet row \d+: the file 'part-0\.parquet' is added twice/) })
  })

  it('refuses a sidecar path outside _delta_log/_sidecars', async () => {
    for (const path of ['../../secret.parquet', '..%2F..%2Fsecret.parquet', 'other/dir/a.parquet', '..', '%2E%2E', 'bad%zz.parquet']) {
      const engine = await withSidecars([{ path, file: 'a.parquet' }])
      await expect(loadSnapshot(engine), path).rejects.toMatchObject({ code: 'InvalidLog', message: expect.stringContaining('sidecar path') })
    }
  })
})
