// What crosses a comlink boundary: DeltaErrors keep their code (thrown or returned), other
// errors stay errors, and a storage descriptor's signer stays on the calling side as a proxy.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expose, wrap, type Endpoint } from 'comlink'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeltaError } from '../../src/delta/engine/errors.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { publicHttp } from '../../src/storage/signers/public.js'
import { createInProcessPool } from '../../src/worker/in-process.js'
import { WorkerDeltaTable } from '../../src/worker/client.js'
import { httpStorageDescriptor } from '../../src/worker/descriptors.js'
import { registerDeltaTransferHandlers } from '../../src/worker/transfer.js'
import { splitEvenly } from '../../src/worker/split.js'
import type { HttpOperation } from '../../src/storage/http-signer.js'
import { NodeFsStorage } from '../../src/storage/node-fs.js'
import { startStaticServer, type RunningServer } from '../helpers/servers.js'
import { writeFixtureTable } from './fixture.js'

registerDeltaTransferHandlers()

interface Thrower {
  fail(kind: 'delta' | 'plain'): Promise<void>
  give(): Promise<DeltaError>
}

function overChannel(): { remote: Thrower; close(): void } {
  const { port1, port2 } = new MessageChannel()
  const api: Thrower = {
    async fail(kind) {
      throw kind === 'delta' ? new DeltaError('CommitConflict', 'version 7 was taken') : new RangeError('plain failure')
    },
    async give() {
      return new DeltaError('NotFound', 'given back')
    },
  }
  expose(api, port1 as Endpoint)
  return { remote: wrap<Thrower>(port2 as Endpoint) as unknown as Thrower, close: () => (port1.close(), port2.close()) }
}

describe('comlink transfer handlers', () => {
  it('rebuilds a thrown DeltaError with its code and message', async () => {
    const { remote, close } = overChannel()
    const e = await remote.fail('delta').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(DeltaError)
    expect([(e as DeltaError).code, (e as DeltaError).message]).toEqual(['CommitConflict', 'version 7 was taken'])
    const plain = await remote.fail('plain').catch((x: unknown) => x)
    expect(plain).toBeInstanceOf(Error)
    expect(plain).not.toBeInstanceOf(DeltaError)
    expect((plain as Error).message).toBe('plain failure')
    const given = await remote.give()
    expect(given).toBeInstanceOf(DeltaError)
    expect(given.code).toBe('NotFound')
    close()
  })
})

describe('an HTTP descriptor across the boundary', () => {
  let server: RunningServer
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deltalake-transfer-'))
    await writeFixtureTable(new NodeFsStorage(join(dir, 't')), await nodeParquetCodec())
    server = await startStaticServer({ root: dir, listing: true })
  })
  afterAll(async () => {
    await server?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps the signer on this side: the worker asks it for every request', async () => {
    const backend = publicHttp(server.url, { listing: 's3' })
    const signed: HttpOperation[] = []
    const storage = httpStorageDescriptor({ ...backend, sign: (op, path, opts) => (signed.push(op), backend.sign(op, path, opts)) }, 't')
    const pool = createInProcessPool({ loadCodec: () => nodeParquetCodec() }, { size: 2, via: 'channel' })
    try {
      const t = await WorkerDeltaTable.open(pool, storage)
      expect((await t.toArrow()).numRows).toBe(60)
      expect(signed).toContain('list')
      expect(signed.filter((op) => op === 'get').length).toBeGreaterThanOrEqual(server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('.parquet')).length)
      expect(server.requests.length).toBe(signed.length)
    } finally {
      await pool.terminate()
    }
  })
})

describe('splitEvenly', () => {
  it('cuts items into ordered, non-empty, near-equal slices', () => {
    const items = Array.from({ length: 10 }, (_, i) => i)
    expect(splitEvenly(items, 4)).toEqual([[0, 1, 2], [3, 4], [5, 6, 7], [8, 9]])
    expect(splitEvenly(items, 20).length).toBe(10)
    expect(splitEvenly([1], 4)).toEqual([[1]])
    expect(splitEvenly(items, 0)).toEqual([items])
    expect(splitEvenly(items, 3).flat()).toEqual(items)
  })
})

