// A data file that makes parquet-wasm trap, read in headless Chromium through the page's worker
// pool: the read fails with InvalidData naming the file (no promise left pending), the page sees
// no uncaught error, and the same table object goes on reading its other files.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tableFromArrays } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { NodeFsStorage } from '../../src/storage/node-fs.js'
import { chromiumAvailable } from '../../e2e/chromium.js'
import { startBrowserHarness, type BrowserHarness, type HarnessPage } from '../../e2e/harness-client.js'
import { startStaticServer, type RunningServer } from '../helpers/servers.js'

const run = chromiumAvailable('e2e corrupt Parquet')

/**
 * Bytes of `file` with a range zeroed such that the Node codec's decoder thread dies on them:
 * found by a seeded search, so it holds whatever parquet-wasm version is installed.
 */
async function trappingCopy(file: Uint8Array): Promise<Uint8Array> {
  const codec = await nodeParquetCodec()
  let seed = 7
  for (let attempt = 0; attempt < 400; attempt++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    const at = 4 + (seed % (file.length - 200))
    const copy = file.slice()
    copy.fill(0, at, at + 24)
    const e = await codec.read({ size: copy.length, read: async (o, l) => copy.slice(o, o + l) }).then(() => undefined, (x: unknown) => x)
    if (isDeltaError(e) && e.message.includes('the decoder crashed')) return copy
  }
  throw new Error('no zeroed range made the decoder trap')
}

describe.runIf(run)('a Parquet file that traps the decoder, read in Chromium', () => {
  let dir: string
  let server: RunningServer
  let harness: BrowserHarness
  let page: HarnessPage
  const pageErrors: string[] = []
  let corruptPath = ''
  let goodPath = ''

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deltalake-corrupt-'))
    const storage = new NodeFsStorage(dir)
    const parquet = await nodeParquetCodec()
    for (let v = 0; v < 2; v++) {
      const n = 3000
      const rows = tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => v * n + i), word: Array.from({ length: n }, (_, i) => `w${(i * 31) % 997}`) })
      await writeDeltaLake('t', rows, { storage, parquet, mode: v === 0 ? 'error' : 'append', compression: 'zstd' })
    }
    const files = (await storage.list('')).filter((f) => f.path.endsWith('.parquet')).map((f) => f.path).sort()
    ;[corruptPath, goodPath] = files as [string, string]
    await writeFile(join(dir, corruptPath), await trappingCopy(new Uint8Array(await readFile(join(dir, corruptPath)))))
    server = await startStaticServer({ root: dir, listing: true })
    harness = await startBrowserHarness()
    page = await harness.newPage(1)
    page.page.on('pageerror', (e) => pageErrors.push(e.message))
  }, 120_000)

  afterAll(async () => {
    await harness?.close()
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('fails that read with InvalidData naming the file, and the table reads on', async () => {
    const table = await page.openTable({ kind: 'public-http', baseUrl: server.url, listing: 's3' })
    const e = await table.toArrow().then(() => undefined, (x: unknown) => x)
    expect(isDeltaError(e) && e.code).toBe('InvalidData')
    expect((e as Error).message).toContain(corruptPath)
    expect((e as Error).message).toContain('the decoder crashed')
    expect((e as Error).message).toMatch(/unreachable/)
    // The same table object, in the same pool worker, reads its intact file.
    const good = await table.toArrow({ files: [goodPath] })
    expect(good.numRows).toBe(3000)
    // And the failure repeats as a typed error, not a hang: the decoder worker was replaced.
    const again = await table.toArrow().then(() => undefined, (x: unknown) => x)
    expect(isDeltaError(again) && again.code).toBe('InvalidData')
    expect(pageErrors).toEqual([])
  }, 120_000)
})
