// The conformance corpus read in headless Chromium over HTTP, through the page's worker pool,
// checked by the very code of the Node conformance suite: its `openTable` is swapped for one
// that opens the table in the page. Every table runs twice, in Node and in the page, and both
// must give the same verdict, so the pass counts are equal.
import { relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { OpenOptions } from '../../src/api/delta-table.js'
import { chromiumAvailable } from '../../e2e/chromium.js'
import { startBrowserHarness, type BrowserHarness, type HarnessPage } from '../../e2e/harness-client.js'
import { checkTable, type TableResult } from '../conformance/check-table.js'
import { corpusDir, hasCorpus, loadManifest } from '../conformance/corpus.js'
import { startStaticServer, type RunningServer } from '../helpers/servers.js'

const target = vi.hoisted(() => ({ where: 'node' as 'node' | 'page', page: undefined as HarnessPage | undefined, baseUrl: '', corpus: '' }))

vi.mock('../conformance/library.js', async (importActual) => {
  const actual = await importActual<typeof import('../conformance/library.js')>()
  return {
    openTable: (tableDir: string, opts: OpenOptions = {}) => {
      if (target.where === 'node') return actual.openTable(tableDir, opts)
      const root = relative(target.corpus, tableDir).split('\\').join('/')
      const req = opts.version !== undefined ? { version: opts.version } : {}
      return target.page!.openTable({ kind: 'public-http', baseUrl: target.baseUrl, listing: 's3', root }, req)
    },
  }
})

const corpus = corpusDir()
const run = hasCorpus(corpus) && chromiumAvailable('e2e conformance over HTTP')
if (!hasCorpus(corpus)) console.log(`e2e conformance over HTTP: corpus not found at ${corpus}, skipped`)

function verdict(r: TableResult): string {
  return r.failures.length === 0 ? 'pass' : 'fail'
}

describe.runIf(run)('the conformance corpus in Chromium, over HTTP, through the worker pool', () => {
  let harness: BrowserHarness
  let server: RunningServer
  const tally = { node: 0, page: 0 }

  beforeAll(async () => {
    server = await startStaticServer({ root: corpus, listing: true })
    harness = await startBrowserHarness()
    target.page = await harness.newPage(2)
    target.baseUrl = server.url
    target.corpus = corpus
  })
  afterAll(async () => {
    console.log(`e2e conformance: ${tally.page} tables pass in Chromium, ${tally.node} in Node`)
    await harness?.close()
    await server?.close()
  })

  for (const entry of loadManifest(hasCorpus(corpus) ? corpus : '.').filter(() => run)) {
    it(entry.name, async () => {
      target.where = 'node'
      const inNode = await checkTable(corpus, entry)
      target.where = 'page'
      const inPage = await checkTable(corpus, entry)
      if (verdict(inNode) === 'pass') tally.node++
      if (verdict(inPage) === 'pass') tally.page++
      // Verdicts, not messages: a missing file reads differently over HTTP than on disk.
      expect(verdict(inPage), `Chromium disagrees with Node on ${entry.name}:\n${inPage.failures.join('\n')}`).toBe(verdict(inNode))
      expect(inPage.failures.length).toBe(inNode.failures.length)
      expect(inPage.refusals.length).toBe(inNode.refusals.length)
    }, 180_000)
  }

  it('never decodes Parquet or replays the log on the main thread', async () => {
    const page = target.page!
    const main = await page.mainRealm()
    expect(main.realmStats).toBeNull()
    expect(main.wasmResources).toEqual([])
    expect(main.fetches.filter((u) => u.startsWith(server.url))).toEqual([])
    const workers = await page.workerStats()
    expect(workers.reduce((n, s) => n + s.parquetReads, 0)).toBeGreaterThan(0)
    expect(workers.reduce((n, s) => n + s.snapshotsLoaded, 0)).toBeGreaterThan(0)
    expect(workers.filter((s) => s.parquetReads > 0).length).toBe(2)
  })
})
