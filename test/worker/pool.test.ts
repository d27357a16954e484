// The worker API, run three ways from one factory: called directly, behind comlink on a
// MessageChannel of this thread (every value cloned or transferred as across a real boundary),
// and in Node worker threads. Each suite compares with DeltaTable read in-process.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Table, tableFromArrays, type RecordBatch } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeltaError } from '../../src/delta/engine/errors.js'
import type { Storage } from '../../src/delta/engine/storage.js'
import { FILE_READ_CONCURRENCY } from '../../src/delta/scan/read.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { NodeFsStorage } from '../../src/storage/node-fs.js'
import { DeltaTable } from '../../src/api/delta-table.js'
import { folderFileUri, NodeTableStorage } from '../../src/api/node-engine.js'
import { createInProcessPool } from '../../src/worker/in-process.js'
import { createNodePool } from '../../src/worker/node-pool.js'
import type { DeltaPool } from '../../src/worker/pool.js'
import { WorkerDeltaTable, writeDeltaLakeInWorker } from '../../src/worker/client.js'
import { objectStorageDescriptor } from '../../src/worker/descriptors.js'
import type { StorageDescriptor } from '../../src/worker/protocol.js'
import { buildNodeWorker, type BuiltWorker } from '../../e2e/build-node-worker.js'
import { FIXTURE_FILES, ROWS_PER_FILE, writeFixtureTable } from './fixture.js'

type Mode = 'direct' | 'channel' | 'thread'

let built: BuiltWorker | undefined
let memory: MemoryStorage
let folder: string

beforeAll(async () => {
  const codec = await nodeParquetCodec()
  memory = new MemoryStorage()
  await writeFixtureTable(memory, codec)
  folder = await mkdtemp(join(tmpdir(), 'deltalake-worker-'))
  await writeFixtureTable(new NodeFsStorage(folder), codec)
})

afterAll(async () => {
  await built?.dispose()
  if (folder) await rm(folder, { recursive: true, force: true })
})

/** One pool factory for every suite: the only thing that differs between the three runs. */
async function makePool(mode: Mode, size: number): Promise<DeltaPool> {
  if (mode === 'thread') {
    built ??= await buildNodeWorker()
    return createNodePool({ workerUrl: built.url, size })
  }
  return createInProcessPool({ loadCodec: () => nodeParquetCodec(), nodeFs: (dir) => new NodeTableStorage(dir), folderUri: folderFileUri }, { size, via: mode })
}

function ids(table: Table): number[] {
  return Array.from(table.getChild('id')!.toArray() as BigInt64Array, Number)
}

/** Reads of data files wait for `release()`, so a test can cancel a scan mid-way. */
class GatedStorage extends MemoryStorage {
  dataReads = 0
  #open!: () => void
  #gate = new Promise<void>((r) => (this.#open = r))
  #first!: () => void
  /** Resolves when the first data file read arrives. */
  readonly firstRead = new Promise<void>((r) => (this.#first = r))

  release(): void {
    this.#open()
  }

  override async read(path: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    if (path.endsWith('.parquet')) {
      this.dataReads++
      this.#first()
      await this.#gate
    }
    return super.read(path, range)
  }
}

async function copyInto(target: Storage, source: MemoryStorage): Promise<void> {
  for (const path of source.paths()) await target.put(path, await source.read(path))
}

describe.each<Mode>(['direct', 'channel', 'thread'])('worker API (%s)', (mode) => {
  let pool: DeltaPool
  let reference: DeltaTable
  beforeAll(async () => {
    pool = await makePool(mode, 3)
    reference = await DeltaTable.open('fixture', { storage: memory, parquet: await nodeParquetCodec() })
  })
  afterAll(async () => {
    await pool?.terminate()
  })

  const descriptors = (): [string, StorageDescriptor][] => [
    ['object', objectStorageDescriptor(memory)],
    ['node-fs', { kind: 'node-fs', dir: folder }],
  ]

  it('opens a table with the facts DeltaTable gives', async () => {
    for (const [, storage] of descriptors()) {
      const t = await WorkerDeltaTable.open(pool, storage)
      expect(t.version).toBe(2)
      expect(t.schema()).toEqual(reference.schema())
      expect(t.metadata()).toEqual(reference.metadata())
      expect(t.protocol()).toEqual(reference.protocol())
      expect(t.numFiles).toBe(FIXTURE_FILES.length - 1)
      expect(await t.files()).toEqual(await reference.files())
      expect((await t.history()).map((c) => c.version)).toEqual((await reference.history()).map((c) => c.version))
      await t.close()
    }
  })

  it('splits a scan across the pool and keeps file order', async () => {
    for (const [name, storage] of descriptors()) {
      const t = await WorkerDeltaTable.open(pool, storage)
      const got = await t.toArrow()
      const want = await reference.toArrow()
      expect(got.numRows, name).toBe((FIXTURE_FILES.length - 1) * ROWS_PER_FILE)
      expect(ids(got), name).toEqual(ids(want))
      expect(got.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(want.schema.fields.map((f) => `${f.name}:${f.type}`))
      expect(got.getChild('part')!.toArray()).toEqual(want.getChild('part')!.toArray())
      await t.close()
    }
  })

  it('projects, filters and reads a subset of files', async () => {
    const t = await WorkerDeltaTable.open(pool, objectStorageDescriptor(memory))
    const filtered = await t.toArrow({ columns: ['value', 'id'], filter: "part = 'odd' AND id >= 20" })
    expect(filtered.schema.fields.map((f) => f.name)).toEqual(['value', 'id'])
    expect(ids(filtered)).toEqual(ids(await reference.toArrow({ columns: ['id'], filter: "part = 'odd' AND id >= 20" })))
    expect(ids(filtered).every((id) => id >= 20 && Math.floor(id / ROWS_PER_FILE) % 2 === 1)).toBe(true)
    const subset = await t.toArrow({ files: [FIXTURE_FILES[3]!, FIXTURE_FILES[1]!] })
    expect(ids(subset)).toEqual([15, 16, 17, 18, 19, 5, 6, 7, 8, 9])
    const none = await t.toArrow({ filter: 'id > 1000' })
    expect(none.numRows).toBe(0)
    expect(none.schema.fields.map((f) => f.name)).toEqual(['id', 'value', 'part'])
    await t.close()
  })

  it('gives the table URI and the file URIs that DeltaTable gives in this thread', async () => {
    const local = await DeltaTable.open(folder)
    const t = await WorkerDeltaTable.open(pool, { kind: 'node-fs', dir: folder })
    expect(t.uri).toBe(pathToFileURL(folder).href)
    expect(await t.fileUris()).toEqual(await local.fileUris())
    await t.close()
    const parquet = await nodeParquetCodec()
    const inMemory = await WorkerDeltaTable.open(pool, objectStorageDescriptor(memory, undefined, { uri: 'memory://fixture' }))
    expect(inMemory.uri).toBe('memory://fixture')
    expect(await inMemory.fileUris()).toEqual(await (await DeltaTable.open('memory://fixture', { storage: memory, parquet })).fileUris())
    await inMemory.close()
  })

  it('time travels and moves to the latest version', async () => {
    const t = await WorkerDeltaTable.open(pool, objectStorageDescriptor(memory), { version: 0 })
    expect(t.version).toBe(0)
    expect((await t.toArrow()).numRows).toBe(6 * ROWS_PER_FILE)
    await t.loadAsVersion(1)
    expect(t.numFiles).toBe(FIXTURE_FILES.length)
    await t.updateIncremental()
    expect(t.version).toBe(2)
    await t.close()
  })

  it('gives DeltaErrors back with their code', async () => {
    const empty = objectStorageDescriptor(new MemoryStorage())
    const missing = await WorkerDeltaTable.open(pool, empty).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(DeltaError)
    expect((missing as DeltaError).code).toBe('NotFound')
    const t = await WorkerDeltaTable.open(pool, objectStorageDescriptor(memory))
    const badColumn = await t.toArrow({ columns: ['nope'] }).catch((e: unknown) => e)
    expect(badColumn).toBeInstanceOf(DeltaError)
    expect((badColumn as DeltaError).code).toBe('InvalidArgument')
    expect((badColumn as DeltaError).message).toMatch(/nope/)
    await t.close()
  })

  it('streams a scan through the workers in file order', async () => {
    for (const [name, storage] of descriptors()) {
      const t = await WorkerDeltaTable.open(pool, storage)
      const batches: RecordBatch[] = []
      for await (const b of t.toBatches({ columns: ['id'], filter: 'id >= 12' })) batches.push(b)
      expect(ids(new Table(batches)), name).toEqual(ids(await reference.toArrow({ columns: ['id'], filter: 'id >= 12' })))
      await t.close()
    }
  })

  /**
   * Start a read of a table whose data reads hang until released, in a pool of one worker,
   * abort it once the first data read has started, and give what the read settled with after
   * the worker has seen the cancel and the hung reads were let go.
   */
  async function cancelledRead(start: (t: WorkerDeltaTable, signal: AbortSignal) => Promise<unknown>, check: (gated: GatedStorage, t: WorkerDeltaTable) => Promise<void>): Promise<unknown> {
    const gated = new GatedStorage()
    await copyInto(gated, memory)
    const onePool = await makePool(mode, 1)
    try {
      const t = await WorkerDeltaTable.open(onePool, objectStorageDescriptor(gated))
      const controller = new AbortController()
      const reading = start(t, controller.signal).catch((e: unknown) => e)
      await gated.firstRead
      controller.abort()
      const error = await reading
      // A call on the same port lands after the cancel, so the worker has seen it by now.
      await t.files()
      gated.release()
      await new Promise((r) => setTimeout(r, 100))
      await t.files()
      await check(gated, t)
      return error
    } finally {
      await onePool.terminate()
    }
  }

  it('stops a streamed scan in the workers when it is cancelled', async () => {
    const error = await cancelledRead((t, signal) => t.toBatches({ signal })[Symbol.asyncIterator]().next(), async (gated) => {
      // The step rejected while its file's read hung; the stream started no other file.
      expect(gated.dataReads).toBe(1)
    })
    expect(error).toSatisfy((e: unknown) => e instanceof DeltaError && e.code === 'Cancelled')
  })

  it('stops reading in the workers when the scan is cancelled', async () => {
    const error = await cancelledRead((t, signal) => t.toArrow({ signal }), async (gated, t) => {
      // One task of six files was running: the reads it had started finish, the rest never
      // start (the worker checks between files), and the pool hands out no further task.
      expect(gated.dataReads).toBeGreaterThan(0)
      expect(gated.dataReads).toBeLessThanOrEqual(FILE_READ_CONCURRENCY)
      expect(FIXTURE_FILES.length - 1).toBeGreaterThan(2 * FILE_READ_CONCURRENCY)
      const after = await t.toArrow()
      expect(after.numRows).toBe((FIXTURE_FILES.length - 1) * ROWS_PER_FILE)
    })
    expect(error).toBeInstanceOf(DeltaError)
    expect((error as DeltaError).code).toBe('Cancelled')
  })

  it('writes through a worker: Parquet encoded there, committed to the given storage', async () => {
    const target = new MemoryStorage()
    const rows = (start: number) => tableFromArrays({ id: BigInt64Array.from([0, 1, 2], (i) => BigInt(start + i)), label: ['a', 'b', 'c'] })
    const created = await writeDeltaLakeInWorker(pool, objectStorageDescriptor(target), rows(0))
    const appended = await writeDeltaLakeInWorker(pool, objectStorageDescriptor(target), rows(10), { mode: 'append' })
    expect([created.version, appended.version]).toEqual([0, 1])
    const back = await DeltaTable.open('written', { storage: target, parquet: await nodeParquetCodec() })
    expect(ids(await back.toArrow()).sort((a, b) => a - b)).toEqual([0, 1, 2, 10, 11, 12])
    const refused = await writeDeltaLakeInWorker(pool, objectStorageDescriptor(target), rows(20)).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(DeltaError)
    expect((refused as DeltaError).code).toBe('InvalidArgument')
  })

  it.runIf(mode === 'thread')('decodes in the worker threads, never in this thread', async () => {
    // The direct and channel suites ran the API in this realm: its counters must not move now.
    const mainRealm = (): unknown => JSON.stringify((globalThis as { __deltalakeRealmStats?: unknown }).__deltalakeRealmStats ?? null)
    const before = mainRealm()
    const t = await WorkerDeltaTable.open(pool, objectStorageDescriptor(memory))
    await t.toArrow()
    expect(mainRealm()).toBe(before)
    const stats = await Promise.all(Array.from({ length: pool.size }, (_, i) => pool.worker(i).realmStats()))
    expect(stats.reduce((n, s) => n + s.parquetReads, 0)).toBeGreaterThan(0)
    expect(stats.reduce((n, s) => n + s.snapshotsLoaded, 0)).toBeGreaterThan(0)
    expect(stats.filter((s) => s.parquetReads > 0).length).toBe(pool.size)
    await t.close()
  })
})
