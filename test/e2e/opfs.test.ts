// The File System Access adapter on the Origin Private File System of headless Chromium: the
// shared Storage contract run through the page, tables written in the browser and read back in
// Node, two pages committing to one table at once, and a Node-written table read in the page.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tableFromArrays } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FileMeta, Storage, StorageCapabilities } from '../../src/delta/engine/storage.js'
import { DeltaTable } from '../../src/api/delta-table.js'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import { chromiumAvailable } from '../../e2e/chromium.js'
import { startBrowserHarness, type BrowserHarness, type HarnessPage } from '../../e2e/harness-client.js'
import { schemaOf, sortedRows, writeExportedFiles } from '../../e2e/table-rows.js'
import { describeStorageContract } from '../storage/storage-contract.js'
import { startStaticServer } from '../helpers/servers.js'

/** FsaStorage on an OPFS folder of the page, called from Node one operation at a time. */
class PageFsaStorage implements Storage {
  constructor(readonly page: HarnessPage, readonly dir: string, readonly capabilities: StorageCapabilities) {}

  list(dir: string, opts?: { startAfter?: string }): Promise<FileMeta[]> {
    return this.page.fsa(this.dir, 'list', dir, opts) as Promise<FileMeta[]>
  }

  async read(path: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    return new Uint8Array(Buffer.from((await this.page.fsa(this.dir, 'read', path, range)) as string, 'base64'))
  }

  async head(path: string): Promise<FileMeta | undefined> {
    return ((await this.page.fsa(this.dir, 'head', path)) as FileMeta | null) ?? undefined
  }

  async put(path: string, data: Uint8Array, opts?: { ifAbsent?: boolean }): Promise<void> {
    await this.page.fsa(this.dir, 'put', path, Buffer.from(data).toString('base64'), opts)
  }

  async delete(path: string): Promise<void> {
    await this.page.fsa(this.dir, 'delete', path)
  }
}

const run = chromiumAvailable('e2e OPFS')

describe.runIf(run)('FsaStorage on OPFS in Chromium', () => {
  let harness: BrowserHarness
  let page: HarnessPage
  let scratch: string
  let folders = 0

  beforeAll(async () => {
    harness = await startBrowserHarness()
    page = await harness.newPage(2)
    scratch = await mkdtemp(join(tmpdir(), 'deltalake-opfs-'))
  })
  afterAll(async () => {
    await harness?.close()
    if (scratch) await rm(scratch, { recursive: true, force: true })
  })

  describeStorageContract('FsaStorage (OPFS, through the page)', async () => {
    const dir = `contract/${folders++}`
    const capabilities = (await page.fsa(dir, 'capabilities')) as StorageCapabilities
    return { storage: new PageFsaStorage(page, dir, capabilities), cleanup: async () => void (await page.call('removeOpfs', dir)) }
  })

  it('writes a table in the browser that Node reads back identically', async () => {
    const spec = { kind: 'opfs' as const, dir: 'tables/written' }
    await page.call('removeOpfs', spec.dir)
    await page.write(spec, { start: 0, count: 100, label: 'first' })
    const appended = await page.write(spec, { start: 100, count: 50, label: 'second' }, { mode: 'append' })
    expect(appended.version).toBe(1)
    const inPage = await page.openTable(spec)
    const pageRows = await inPage.toArrow()
    const local = join(scratch, 'written')
    await writeExportedFiles(local, await page.call('exportOpfs', spec.dir))
    const inNode = await DeltaTable.open(local)
    const nodeRows = await inNode.toArrow()
    expect(inNode.version).toBe(1)
    expect(sortedRows(nodeRows)).toEqual(sortedRows(pageRows))
    expect(schemaOf(nodeRows)).toEqual(schemaOf(pageRows))
    expect(sortedRows(nodeRows).map((r) => r[0])).toEqual(Array.from({ length: 150 }, (_, i) => i))
    expect(await inNode.files()).toEqual(await inPage.files())
  })

  it('loses no commit when two pages append to one table at once', async () => {
    const spec = { kind: 'opfs' as const, dir: 'tables/shared' }
    await page.call('removeOpfs', spec.dir)
    await page.write(spec, { start: 0, count: 10, label: 'base' })
    const other = await harness.newPage(2)
    const appends = (p: HarnessPage, who: string, offset: number) =>
      Promise.all(Array.from({ length: 4 }, (_, k) => p.write(spec, { start: 1000 * (offset + k + 1), count: 10, label: `${who}${k}` }, { mode: 'append' })))
    const results = (await Promise.all([appends(page, 'a', 0), appends(other, 'b', 4)])).flat()
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const table = await page.openTable(spec)
    expect(table.version).toBe(8)
    const whole = await table.toArrow()
    const labels = new Set(sortedRows(whole).map((r) => r[2]))
    // Streamed through the page's workers: the same rows, a batch per file.
    const streamed = await table.toBatches()
    expect(streamed.batches).toBe(table.numFiles)
    expect(sortedRows(streamed.table)).toEqual(sortedRows(whole))
    expect([...labels].sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'base'])
    expect((await table.history()).map((c) => c.version)).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0])
    const leftovers = (await page.call('exportOpfs', spec.dir)).filter((f) => f.path.endsWith('.tmp'))
    expect(leftovers).toEqual([])
    await other.page.close()
  })

  it('encodes and decodes only in the workers, never on the main thread of the page', async () => {
    const main = await page.mainRealm()
    expect(main.realmStats).toBeNull()
    expect(main.wasmResources).toEqual([])
    const workers = await page.workerStats()
    expect(workers.reduce((n, s) => n + s.parquetWrites, 0)).toBeGreaterThan(0)
    expect(workers.reduce((n, s) => n + s.parquetReads, 0)).toBeGreaterThan(0)
  })

  it('reads a table written in Node, over HTTP', async () => {
    const local = join(scratch, 'from-node')
    const data = tableFromArrays({ id: BigInt64Array.from([3n, 1n, 2n]), value: Float64Array.from([1.5, 0.5, 1]), label: ['c', 'a', 'b'] })
    await writeDeltaLake(local, data)
    await writeDeltaLake(local, tableFromArrays({ id: BigInt64Array.from([4n]), value: Float64Array.from([2]), label: ['d'] }), { mode: 'append' })
    const server = await startStaticServer({ root: scratch, listing: true })
    try {
      const inPage = await page.openTable({ kind: 'public-http', baseUrl: server.url, listing: 's3', root: 'from-node' })
      const nodeRows = await (await DeltaTable.open(local)).toArrow()
      const pageRows = await inPage.toArrow()
      expect(inPage.version).toBe(1)
      expect(sortedRows(pageRows)).toEqual(sortedRows(nodeRows))
      expect(schemaOf(pageRows)).toEqual(schemaOf(nodeRows))
    } finally {
      await server.close()
    }
  })
})
