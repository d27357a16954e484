// Opening a table with a checkpoint and 20 commits after it, over HTTP with 50 ms of injected
// latency, from a page through its worker: the round trips after `_last_checkpoint` are counted
// from the server's own request log.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeCheckpoint } from '../../src/delta/checkpoint/write.js'
import { loadSnapshot } from '../../src/delta/log/snapshot.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { NodeFsStorage } from '../../src/storage/node-fs.js'
import { DeltaTable } from '../../src/api/delta-table.js'
import { chromiumAvailable } from '../../e2e/chromium.js'
import { startBrowserHarness, type BrowserHarness } from '../../e2e/harness-client.js'
import { startHttp2Proxy, type Http2Proxy } from '../../e2e/h2-proxy.js'
import { requestWaves } from '../../e2e/waves.js'
import { addAction, createActions, writeCommit } from '../helpers/log-builder.js'
import { startStaticServer, type RunningServer } from '../helpers/servers.js'

const LATENCY_MS = 50
const CHECKPOINT = 10
const LATEST = CHECKPOINT + 20

/** Versions 0..30, one synthetic add each (open never reads data files), a checkpoint at 10. */
async function writeTable(dir: string): Promise<void> {
  const storage = new NodeFsStorage(dir)
  const parquet = await nodeParquetCodec()
  await writeCommit(storage, 0, [...createActions(), addAction('part-0.parquet')])
  for (let v = 1; v <= LATEST; v++) {
    await writeCommit(storage, v, [{ commitInfo: { timestamp: 1000 + v, operation: 'WRITE' } }, addAction(`part-${v}.parquet`)])
    if (v === CHECKPOINT) await writeCheckpoint({ storage, parquet }, await loadSnapshot({ storage, parquet }, v, { tombstones: true }))
  }
}

const run = chromiumAvailable('e2e open latency')

describe.runIf(run)('opening a table over HTTP with 50 ms latency, in Chromium', () => {
  let dir: string
  let server: RunningServer
  let harness: BrowserHarness
  let h2: Http2Proxy
  let h2Paths: string[] = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deltalake-latency-'))
    await writeTable(join(dir, 'table'))
    server = await startStaticServer({ root: dir, listing: true, latencyMs: LATENCY_MS })
    h2 = await startHttp2Proxy(server.url)
    harness = await startBrowserHarness()
  })
  afterAll(async () => {
    await harness?.close()
    await h2?.close()
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  /** Open twice in a fresh page (the first open also compiles wasm); the waves of the second. */
  async function measureOpen(baseUrl: string, label: string) {
    const page = await harness.newPage(1)
    const spec = { kind: 'public-http' as const, baseUrl, listing: 's3' as const, root: 'table' }
    const cold = await page.openTable(spec)
    server.requests.length = 0
    const warm = await page.openTable(spec)
    const waves = requestWaves(server.requests)
    console.log([
      `open over ${label} with ${LATENCY_MS} ms latency: cold ${Math.round(cold.openMs)} ms, warm ${Math.round(warm.openMs)} ms, ` +
        `${server.requests.length} requests in ${waves.length} waves`,
      ...waves.map((w, i) => `  wave ${i + 1}: ${w.map((r) => `${r.method} ${r.path.replace('/table/', '')}${r.range ? ` [${r.range}]` : ''}`).join(', ')}`),
    ].join('\n'))
    await page.page.close()
    return { warm, waves, requests: [...server.requests] }
  }

  it('takes at most 3 sequential round trips after _last_checkpoint (HTTP/2)', async () => {
    const node = await DeltaTable.open(join(dir, 'table'))
    expect([node.version, node.checkpointVersion()]).toEqual([LATEST, CHECKPOINT])
    const { warm, waves, requests } = await measureOpen(h2.url, 'HTTP/2')
    h2Paths = requests.map((r) => r.path)
    expect([warm.version, warm.checkpointVersion(), warm.numFiles]).toEqual([LATEST, CHECKPOINT, LATEST + 1])
    expect(requests.some((r) => r.method === 'OPTIONS')).toBe(false)
    expect(waves[0]!.map((r) => r.path)).toEqual(['/table/_delta_log/_last_checkpoint'])
    expect(waves.length - 1).toBeLessThanOrEqual(3)
    // The 20 commits after the checkpoint are fetched together: none waits for another.
    const commitWaves = new Set(waves.flatMap((w, i) => (w.some((r) => /\/0+(1[1-9]|2\d|30)\.json$/.test(r.path)) ? [i] : [])))
    expect(commitWaves.size).toBe(1)
  })

  it('over HTTP/1.1, issues the same requests (the browser runs six at a time)', async () => {
    const { warm, waves, requests } = await measureOpen(server.url, 'HTTP/1.1')
    expect(warm.version).toBe(LATEST)
    // The wave count depends on when the browser frees a connection: logged, not asserted.
    expect(waves[0]!.map((r) => r.path)).toEqual(['/table/_delta_log/_last_checkpoint'])
    expect(requests.map((r) => r.path).sort()).toEqual(h2Paths.sort())
  })
})
