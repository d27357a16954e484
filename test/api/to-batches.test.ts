// `toBatches` in this thread and through a pool whose workers sit behind comlink: the same rows as
// `toArrow`, a stream that starts before the table is read and stops when the consumer leaves,
// cancellation, and a failing file that rejects the step reaching it.
import { HangingStorage } from '../helpers/hanging-storage.js'
import { Table, type RecordBatch } from 'apache-arrow'
import { expose, wrap, type Endpoint } from 'comlink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../src/api/delta-table.js'
import type { TableApi, ToBatchesOptions } from '../../src/api/table-api.js'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import type { ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import type { Storage } from '../../src/delta/engine/storage.js'
import { FILES_READ_AHEAD } from '../../src/delta/scan/stream.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { CountingStorage } from '../../src/storage/counting.js'
import { createWorkerApi } from '../../src/worker/api.js'
import { WorkerDeltaTable } from '../../src/worker/client.js'
import { objectStorageDescriptor } from '../../src/worker/descriptors.js'
import { DeltaPool } from '../../src/worker/pool.js'
import type { DeltaWorkerApi } from '../../src/worker/protocol.js'
import { registerDeltaTransferHandlers } from '../../src/worker/transfer.js'
import { FIXTURE_FILES, ROWS_PER_FILE, writeFixtureTable } from '../worker/fixture.js'

type Mode = 'in-process' | 'worker'
const MODES: Mode[] = ['in-process', 'worker']
const POOL_SIZE = 2
const ACTIVE_FILES = FIXTURE_FILES.length - 1

let codec: ParquetCodec
let pool: DeltaPool
// Scan ids the pool's workers were asked to cancel.
const cancels: string[] = []

beforeAll(async () => {
  codec = await nodeParquetCodec()
  pool = recordingPool(POOL_SIZE)
})
afterAll(() => pool?.terminate())

/** A pool of API instances behind comlink on MessageChannels, recording `cancel` calls. */
function recordingPool(size: number): DeltaPool {
  registerDeltaTransferHandlers()
  return new DeltaPool(Array.from({ length: size }, () => {
    const api = createWorkerApi({ loadCodec: () => nodeParquetCodec() })
    const cancel = api.cancel.bind(api)
    api.cancel = (scanId) => {
      cancels.push(scanId)
      return cancel(scanId)
    }
    const { port1, port2 } = new MessageChannel()
    expose(api, port1 as Endpoint)
    return { api: wrap<DeltaWorkerApi>(port2 as Endpoint) as unknown as DeltaWorkerApi, terminate: () => { port1.close(); port2.close() } }
  }))
}

async function fixture(): Promise<MemoryStorage> {
  const storage = new MemoryStorage()
  await writeFixtureTable(storage, codec)
  return storage
}

async function open(mode: Mode, storage: Storage): Promise<TableApi> {
  if (mode === 'in-process') return DeltaTable.open('memory://t', { storage, parquet: codec })
  return WorkerDeltaTable.open(pool, objectStorageDescriptor(storage, undefined, { uri: 'memory://t' }))
}

async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const out: RecordBatch[] = []
  for await (const b of batches) out.push(b)
  return out
}

function rowsOf(table: Table): string[] {
  return table.toArray().map((r) => JSON.stringify(r.toJSON(), (_, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)))
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e)
}

const cancelled = (e: unknown): boolean => isDeltaError(e, 'Cancelled')

/** The distinct data files whose bytes were asked for. */
function dataFilesRead(storage: CountingStorage): Set<string> {
  return new Set(storage.calls.filter((c) => c.op === 'read' && c.path.endsWith('.parquet')).map((c) => c.path))
}

for (const mode of MODES) {
  describe(`toBatches (${mode})`, () => {
    it('gives the rows of toArrow, in its order, in batches of its schema', async () => {
      const t = await open(mode, await fixture())
      const some = FIXTURE_FILES.slice(1, 6).reverse()
      const cases: ToBatchesOptions[] = [
        {}, { columns: ['part', 'id'] }, { filter: 'id >= 23 AND value < 40' }, { files: some },
        { columns: ['id'], filter: "part = 'odd'", files: some },
      ]
      for (const opts of cases) {
        const whole = await t.toArrow(opts)
        const batches = await collect(t.toBatches(opts))
        expect(batches.length, JSON.stringify(opts)).toBeGreaterThan(0)
        for (const b of batches) {
          expect(b.numRows).toBeGreaterThan(0)
          expect(b.schema.fields.map(String)).toEqual(whole.schema.fields.map(String))
        }
        expect(rowsOf(new Table(batches)), JSON.stringify(opts)).toEqual(rowsOf(whole))
      }
      await t.close()
    })

    it('yields nothing for an empty table or a filter no row matches', async () => {
      const storage = new MemoryStorage()
      await DeltaTable.create('memory://t', { storage, parquet: codec, schema: { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] } })
      const empty = await open(mode, storage)
      expect(await collect(empty.toBatches())).toEqual([])
      await empty.close()
      const t = await open(mode, await fixture())
      expect(await collect(t.toBatches({ filter: 'id < 0' }))).toEqual([])
      await t.close()
    })

    it('reads a few files ahead, and stops reading when the consumer leaves', async () => {
      const storage = new CountingStorage(await fixture(), { latencyMs: 5 })
      const t = await open(mode, storage)
      storage.reset()
      const cancelsBefore = cancels.length
      let seen = 0
      for await (const batch of t.toBatches()) {
        seen += batch.numRows
        break
      }
      expect(seen).toBe(ROWS_PER_FILE)
      await new Promise((r) => setTimeout(r, 100))
      // The file handed over, and those read ahead of it: never the whole table.
      const ahead = mode === 'in-process' ? FILES_READ_AHEAD : POOL_SIZE
      expect(dataFilesRead(storage).size).toBeLessThanOrEqual(1 + ahead)
      expect(storage.calls.every((c) => c.endedAt !== undefined)).toBe(true)
      // What was in flight was stopped: this thread's reads by the stream's signal, a pool's
      // tasks by a cancel sent to their workers.
      if (mode === 'in-process') expect(storage.calls.some((c) => c.failed)).toBe(true)
      if (mode === 'worker') expect(cancels.length).toBeGreaterThan(cancelsBefore)
      await t.close()
    })

    it('rejects with Cancelled on an aborted signal, before the first batch and between batches', async () => {
      const t = await open(mode, await fixture())
      expect(await rejection(collect(t.toBatches({ signal: AbortSignal.abort() })))).toSatisfy(cancelled)
      const controller = new AbortController()
      const stream = t.toBatches({ signal: controller.signal })[Symbol.asyncIterator]()
      expect((await stream.next()).done).toBe(false)
      controller.abort()
      expect(await rejection(stream.next())).toSatisfy(cancelled)
      await t.close()
    })

    it('rejects a step waiting on a read that never ends as soon as the signal aborts', async () => {
      const storage = new HangingStorage(await fixture())
      const t = await open(mode, storage)
      const hangOn = (await t.files())[2]!.path
      storage.hangs = (path) => path === hangOn
      const controller = new AbortController()
      const stream = t.toBatches({ signal: controller.signal })[Symbol.asyncIterator]()
      for (let k = 0; k < 2; k++) expect((await stream.next()).done).toBe(false)
      const waiting = rejection(stream.next())
      await new Promise((r) => setTimeout(r, 50))
      const started = Date.now()
      controller.abort()
      expect(await waiting).toSatisfy(cancelled)
      expect(Date.now() - started).toBeLessThan(1000)
      await t.close()
    })

    it('rejects with the typed error of a file that fails, after the batches before it', async () => {
      const storage = await fixture()
      const t = await open(mode, storage)
      const files = (await t.files()).map((f) => f.path)
      expect(files).toHaveLength(ACTIVE_FILES)
      await storage.delete(files[2]!)
      const got: RecordBatch[] = []
      const e = await rejection((async () => {
        for await (const b of t.toBatches()) got.push(b)
      })())
      expect(isDeltaError(e, 'NotFound'), String(e)).toBe(true)
      expect((e as Error).message).toContain(files[2]!)
      expect(got.reduce((n, b) => n + b.numRows, 0)).toBe(2 * ROWS_PER_FILE)
      await t.close()
    })

    it('refuses a file that is not active with InvalidArgument', async () => {
      const t = await open(mode, await fixture())
      expect(await rejection(collect(t.toBatches({ files: [FIXTURE_FILES[0]!] })))).toSatisfy((e: unknown) => isDeltaError(e, 'InvalidArgument'))
      await t.close()
    })
  })
}
