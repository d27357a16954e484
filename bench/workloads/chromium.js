// Workload 6: workloads 3 and 4 in headless Chromium through the library's worker pool.
// Cases: open-http (workload 2's biggest table over HTTP with 50 ms latency, waves counted by
// the server), scan-1-worker, scan-2-workers, scan-n-workers (navigator.hardwareConcurrency):
// toArrow() of the scan table over HTTP without added latency. The page records its long
// tasks: the longest main-thread task and the sum of those over 50 ms during each operation.
// Served over HTTP/2 (TLS, self-signed): over HTTP/1.1 Chromium's six connections per origin
// would split the parallel reads into waves of six.
// Peak memory is the renderer process's VmHWM (page and worker heaps plus wasm memory).
import { stringFlag } from '../lib/cli.js'
import { browserUnavailable, buildBenchPage, launchBrowser, rendererPeakMb, selfSignedCertificate } from '../lib/browser.js'
import { childOptions, measure, reportSkipped } from '../lib/measure.js'
import { spawnStaticServer, waveSizes } from '../lib/static-server.js'

const opts = childOptions()
const unavailable = browserUnavailable()
if (unavailable) {
  reportSkipped(unavailable)
  process.exit(0)
}
if (opts.variant !== 'ours') throw new Error(`unknown variant ${opts.variant}`)
const dir = stringFlag(opts.flags, 'dir')
const isOpen = opts.case === 'open-http'
const workers = { 'open-http': 1, 'scan-1-worker': 1, 'scan-2-workers': 2, 'scan-n-workers': 0 }[opts.case]
if (workers === undefined) throw new Error(`unknown case ${opts.case}`)

const page = await buildBenchPage()
const server = await spawnStaticServer(dir, isOpen ? 50 : 0, page.dir, await selfSignedCertificate())
const browser = await launchBrowser()
try {
  const tab = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage()
  tab.on('pageerror', (e) => console.error(`page error: ${e.message}`))
  await tab.goto(`${server.url}/index.html${workers ? `?workers=${workers}` : ''}`)
  await tab.waitForFunction(() => globalThis.benchReady === true)
  const pool = await tab.evaluate(() => ({ workers: globalThis.bench.workers, cores: globalThis.bench.cores, observer: globalThis.bench.observerChecked() }))
  const perRun = []
  // The server's request log is read and reset from the page (same origin, trusted there),
  // between runs, untimed.
  const serverLog = (path) => tab.evaluate((p) => fetch(p).then((r) => (r.status === 200 ? r.json() : undefined)), path)
  await measure(opts, {
    setup: async () => {
      // The scans read a table opened once; the open case opens in every run.
      if (!isOpen) await tab.evaluate(() => globalThis.bench.open())
      await serverLog('/__bench/reset')
    },
    run: () => tab.evaluate((open) => (open ? globalThis.bench.open() : globalThis.bench.scan()), isOpen),
    afterEach: async (_ctx, r) => {
      perRun.push({ ...r, requests: await serverLog('/__bench/requests') })
      await serverLog('/__bench/reset')
    },
    describe: (_last, _ctx, { warmupRuns }) => describeRuns(perRun.slice(warmupRuns), pool),
  })
} finally {
  await browser.close()
  await server.close()
  page.dispose()
}

/** The worst main-thread figures over the timed runs, the last run's requests, the renderer's peak. */
function describeRuns(runs, pool) {
  const last = runs.at(-1)
  const sizes = waveSizes(last.requests)
  const waves = sizes.length
  const hintFirst = last.requests.slice().sort((a, b) => a.arrived - b.arrived)[0]?.path.endsWith('_last_checkpoint') ?? false
  return {
    workers: pool.workers,
    hardware_concurrency: pool.cores,
    longtask_observer_checked: pool.observer,
    page_ms: runs.map((r) => Math.round(r.ms)),
    longest_task_ms: Math.max(...runs.map((r) => r.longest_task_ms)),
    long_tasks_ms: Math.max(...runs.map((r) => r.long_tasks_ms)),
    ...(isOpen
      ? { files: last.files, waves, waves_after_last_checkpoint: hintFirst ? waves - 1 : waves, wave_sizes: sizes, requests: last.requests.length, latency_ms: 50 }
      : { rows: last.rows, columns: last.columns, requests: last.requests.length }),
    node_peak_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    peak_mb: rendererPeakMb(),
    peak_of: 'renderer',
    through: 'worker pool',
  }
}
