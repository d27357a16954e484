// An operation's AbortSignal reaches every storage request it makes: aborting a pending open or
// read rejects promptly with Cancelled, against a server that never answers and against a
// storage of the user's that ignores signals alike.
import { HangingStorage } from '../helpers/hanging-storage.js'
import { tableFromArrays } from 'apache-arrow'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../src/api/delta-table.js'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import { DeltaError, type DeltaErrorCode } from '../../src/delta/engine/errors.js'
import type { ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import type { Storage } from '../../src/delta/engine/storage.js'
import type { StructType } from '../../src/delta/model/schema.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { HttpStorage } from '../../src/storage/http.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { publicHttp } from '../../src/storage/signers/public.js'
import { startObjectServer, type ObjectServer } from '../storage/object-server.js'

const URI = 's3://bucket/t'
let parquet: ParquetCodec
let server: ObjectServer
let table: MemoryStorage

beforeAll(async () => {
  parquet = await nodeParquetCodec()
  server = await startObjectServer()
  table = new MemoryStorage()
  await writeDeltaLake(URI, tableFromArrays({ id: BigInt64Array.from([1n, 2n, 3n]) }), { storage: table, parquet })
})
afterAll(async () => {
  await server?.close()
})
beforeEach(async () => {
  server.fault = undefined
  server.objects.clear()
  for (const p of table.paths()) server.objects.set(`t/${p}`, await table.read(p))
})

function http(): HttpStorage {
  return new HttpStorage({ signer: publicHttp(`${server.url}/t`, { listing: 's3' }) })
}

// The server answers nothing for requests that `hang` picks, and everything else normally.
function hangOn(hang: (path: string) => boolean): void {
  server.fault = (req) => hang(decodeURIComponent(req.path))
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e)
}

async function expectPromptCode(p: Promise<unknown>, controller: AbortController, code: DeltaErrorCode): Promise<void> {
  await new Promise((r) => setTimeout(r, 100))
  const started = Date.now()
  controller.abort()
  const e = await rejection(p)
  expect(e, String(e)).toBeInstanceOf(DeltaError)
  expect((e as DeltaError).code, (e as Error).message).toBe(code)
  expect(Date.now() - started).toBeLessThan(1000)
}

describe('cancelling operations', () => {
  it('rejects a pending toArrow with Cancelled when the server never answers', async () => {
    hangOn((p) => p.endsWith('.parquet'))
    const t = await DeltaTable.open(URI, { storage: http(), parquet })
    const controller = new AbortController()
    await expectPromptCode(t.toArrow({ signal: controller.signal }), controller, 'Cancelled')
  })

  it('rejects a pending toArrow with Cancelled over a storage that ignores signals', async () => {
    const deaf = new HangingStorage(table, (path) => path.endsWith('.parquet'))
    const t = await DeltaTable.open(URI, { storage: deaf, parquet })
    const controller = new AbortController()
    await expectPromptCode(t.toArrow({ signal: controller.signal }), controller, 'Cancelled')
    expect(deaf.started.some((p) => p.endsWith('.parquet'))).toBe(true)
  })

  it('rejects a pending change feed read with Cancelled over a storage that ignores signals', async () => {
    const cdf = new MemoryStorage()
    await writeDeltaLake(URI, tableFromArrays({ id: BigInt64Array.from([1n]) }), { storage: cdf, parquet, configuration: { 'delta.enableChangeDataFeed': 'true' } })
    const deaf = new HangingStorage(cdf, (path) => path.endsWith('.parquet'))
    const t = await DeltaTable.open(URI, { storage: deaf, parquet })
    const controller = new AbortController()
    await expectPromptCode(t.changes({ startVersion: 0, signal: controller.signal }), controller, 'Cancelled')
  })

  it('rejects a pending open, isDeltaTable and create with Cancelled', async () => {
    hangOn((p) => p.includes('_delta_log'))
    for (const start of [
      (signal: AbortSignal) => DeltaTable.open(URI, { storage: http(), parquet, signal }),
      (signal: AbortSignal) => DeltaTable.open(URI, { storage: http(), parquet, signal, version: 0 }),
      (signal: AbortSignal) => DeltaTable.isDeltaTable(URI, { storage: http(), parquet, signal }),
    ]) {
      const controller = new AbortController()
      await expectPromptCode(start(controller.signal), controller, 'Cancelled')
    }
    const empty = new MemoryStorage()
    const hanging: Storage = {
      capabilities: empty.capabilities,
      list: () => new Promise(() => undefined),
      read: (p, r) => empty.read(p, r), head: (p) => empty.head(p), put: (p, d) => empty.put(p, d), delete: (p) => empty.delete(p),
    }
    const schema: StructType = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] }
    const controller = new AbortController()
    await expectPromptCode(DeltaTable.create('memory://new', { storage: hanging, parquet, schema, signal: controller.signal }), controller, 'Cancelled')
  })

  it('sends nothing for a signal aborted before the call', async () => {
    const before = server.requests.length
    const signal = AbortSignal.abort()
    for (const run of [
      () => DeltaTable.open(URI, { storage: http(), parquet, signal }),
      () => DeltaTable.isDeltaTable(URI, { storage: http(), parquet, signal }),
    ]) {
      const e = await rejection(run())
      expect((e as DeltaError).code).toBe('Cancelled')
    }
    const t = await DeltaTable.open(URI, { storage: http(), parquet })
    const sent = server.requests.length
    expect((await rejection(t.toArrow({ signal })) as DeltaError).code).toBe('Cancelled')
    expect(server.requests.length).toBe(sent)
    expect(sent - before).toBeGreaterThan(0)
  })

  it("keeps the open's signal to the open: the table reads after it is aborted", async () => {
    const controller = new AbortController()
    const t = await DeltaTable.open(URI, { storage: http(), parquet, signal: controller.signal })
    controller.abort()
    expect((await t.toArrow()).numRows).toBe(3)
    await t.updateIncremental()
    expect(t.version).toBe(0)
  })

  it('refuses a signal that is not an AbortSignal', async () => {
    const e = await rejection(DeltaTable.open(URI, { storage: http(), parquet, signal: 'stop' as never }))
    expect(e).toMatchObject({ code: 'InvalidArgument' })
  })
})
