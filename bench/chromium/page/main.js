// The Chromium benchmark page: the built library's worker pool opens and scans a table served
// by the bench's static server; the page records its own long tasks, so the bench can tell
// whether the main thread stayed responsive. Driven through `globalThis.bench`.
import { WorkerDeltaTable, createBrowserPool, publicHttpStorageDescriptor } from '../../../dist/worker/index.js'

/** Main-thread tasks over 50 ms, as the browser reports them. */
const longTasks = []
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration })
}).observe({ type: 'longtask', buffered: true })

// A deliberate 60 ms task at start-up proves the observer reports long tasks in this browser,
// so "no long task" during a scan is a finding, not a blind spot.
let observerChecked = false
setTimeout(() => {
  const t = performance.now()
  while (performance.now() - t < 60);
  setTimeout(() => {
    observerChecked = longTasks.some((e) => e.duration >= 50)
    globalThis.benchReady = true
  }, 100)
}, 0)

const pool = createBrowserPool({ size: Number(new URLSearchParams(location.search).get('workers')) || navigator.hardwareConcurrency })
const storage = publicHttpStorageDescriptor(new URL('/table', location.href).href, { listing: 's3' })
let table

/** Long tasks that started in [from, to), summarised. */
function tasksBetween(from, to) {
  const during = longTasks.filter((t) => t.start >= from && t.start < to)
  return {
    longest_task_ms: Math.round(Math.max(0, ...during.map((t) => t.duration))),
    long_tasks_ms: Math.round(during.reduce((n, t) => n + t.duration, 0)),
    long_tasks: during.length,
  }
}

// Long tasks are reported after they end: give the observer a frame to deliver the last one.
const settle = () => new Promise((r) => setTimeout(r, 100))

globalThis.bench = {
  workers: pool.size,
  /** Whether the start-up canary was seen by the long-task observer. */
  observerChecked: () => observerChecked,
  cores: navigator.hardwareConcurrency,
  /** Open the table in a worker; returns the page's own timing. */
  async open() {
    const t0 = performance.now()
    table = await WorkerDeltaTable.open(pool, storage)
    const ms = performance.now() - t0
    await settle()
    return { ms, version: table.version, files: table.numFiles, checkpoint: table.checkpointVersion() ?? null, ...tasksBetween(t0, t0 + ms) }
  },
  /** Scan the open table across the pool into one Arrow table on this thread. */
  async scan(opts = {}) {
    const t0 = performance.now()
    const result = await table.toArrow(opts)
    const ms = performance.now() - t0
    await settle()
    return { ms, rows: result.numRows, columns: result.numCols, heap_mb: Math.round((performance.memory?.usedJSHeapSize ?? 0) / 2 ** 20), ...tasksBetween(t0, t0 + ms) }
  },
}
