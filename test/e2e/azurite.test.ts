// Azure Blob storage (Azurite) from a page: the SAS stays on the main thread and signs each
// request the workers make; tables written in the browser read back in Node, two pages commit
// to one table without losing a commit, and a refused SAS comes back as AccessDenied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeltaError } from '../../src/delta/engine/errors.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { HttpStorage } from '../../src/storage/http.js'
import { azureSasSigner } from '../../src/storage/signers/azure.js'
import { DeltaTable } from '../../src/api/delta-table.js'
import { chromiumAvailable } from '../../e2e/chromium.js'
import { startBrowserHarness, type BrowserHarness, type HarnessPage, type StorageSpec } from '../../e2e/harness-client.js'
import { schemaOf, sortedRows } from '../../e2e/table-rows.js'
import { allowAzuriteCors, azuriteContainerSas, createAzuriteContainer, startAzurite, type RunningServer } from '../helpers/servers.js'

const CONTAINER = 'lake'
const run = chromiumAvailable('e2e Azurite')

describe.runIf(run)('Azurite with a SAS, from Chromium', () => {
  let azurite: RunningServer
  let harness: BrowserHarness
  let page: HarnessPage
  let sas: string

  beforeAll(async () => {
    azurite = await startAzurite()
    await createAzuriteContainer(azurite.url, CONTAINER)
    await allowAzuriteCors(azurite.url)
    sas = azuriteContainerSas(CONTAINER, new Date(Date.now() + 3600_000))
    harness = await startBrowserHarness()
    page = await harness.newPage(2)
  })
  afterAll(async () => {
    await harness?.close()
    await azurite?.close()
  })

  const spec = (prefix: string, token = sas): StorageSpec => ({ kind: 'azure', accountUrl: azurite.url, container: CONTAINER, prefix, sas: token })

  async function openInNode(prefix: string): Promise<DeltaTable> {
    const storage = new HttpStorage({ signer: azureSasSigner({ accountUrl: azurite.url, container: CONTAINER, prefix, sas }) })
    return DeltaTable.open(`azure:${prefix}`, { storage, parquet: await nodeParquetCodec() })
  }

  it('writes, lists and reads a table that Node reads back identically', async () => {
    await page.write(spec('t1'), { start: 0, count: 200, label: 'x' })
    await page.write(spec('t1'), { start: 200, count: 20, label: 'y' }, { mode: 'append' })
    const inPage = await page.openTable(spec('t1'))
    const pageRows = await inPage.toArrow({ filter: 'id >= 150' })
    const inNode = await openInNode('t1')
    const nodeRows = await inNode.toArrow({ filter: 'id >= 150' })
    expect([inPage.version, inNode.version]).toEqual([1, 1])
    expect(sortedRows(pageRows)).toEqual(sortedRows(nodeRows))
    expect(sortedRows(pageRows)).toHaveLength(70)
    expect(schemaOf(pageRows)).toEqual(schemaOf(nodeRows))
    expect(await inPage.files()).toEqual(await inNode.files())
  })

  it('refuses a second create of the same table (conditional create)', async () => {
    await page.write(spec('t2'), { start: 0, count: 5, label: 'x' })
    const again = await page.write(spec('t2'), { start: 0, count: 5, label: 'x' }).catch((e: unknown) => e)
    expect(again).toBeInstanceOf(DeltaError)
    expect((await openInNode('t2')).version).toBe(0)
  })

  it('loses no commit when two pages append to one table at once', async () => {
    await page.write(spec('shared'), { start: 0, count: 10, label: 'base' })
    const other = await harness.newPage(2)
    const appends = (p: HarnessPage, who: string, offset: number) =>
      Promise.all(Array.from({ length: 4 }, (_, k) => p.write(spec('shared'), { start: 1000 * (offset + k + 1), count: 10, label: `${who}${k}` }, { mode: 'append' })))
    const results = (await Promise.all([appends(page, 'a', 0), appends(other, 'b', 4)])).flat()
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    const inNode = await openInNode('shared')
    expect(inNode.version).toBe(8)
    expect([...new Set(sortedRows(await inNode.toArrow()).map((r) => r[2]))].sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'base'])
    await other.page.close()
  })

  it('raises AccessDenied in the page for an expired SAS', async () => {
    const expired = azuriteContainerSas(CONTAINER, new Date(Date.now() - 60_000))
    const error = await page.openTable(spec('t1', expired)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeltaError)
    expect((error as DeltaError).code).toBe('AccessDenied')
    expect((error as DeltaError).message).not.toContain('sig=')
  })
})
