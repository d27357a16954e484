// What the suite runs: each workload's table, its variants (ours, the floor, baselines), and
// the goal from the issue it is judged by. Sizes are those of scale 1, multiplied by --scale.

/** Bytes of Arrow data per file of the scan table (and of the write workload's output). */
const SCAN_TARGET = 6 * 2 ** 20
/** The target file size of the streaming write at scale 1; its input is a multiple of it. */
const STREAM_TARGET = 16 * 2 ** 20

/**
 * A short count: 10000 -> '10k', 1000000 -> '1m'.
 * @param {number} n
 */
export function shortCount(n) {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}m`
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`
  return String(n)
}

/**
 * @typedef {{ generator: string, args: Record<string, number> }} DatasetSpec
 * @typedef {{ workload: string, group: string, env: 'node' | 'chromium', script: string, case?: string,
 *   dataset?: string, args?: Record<string, number>, floor?: boolean, baselines?: string[], goal: string, info?: Record<string, unknown>,
 *   runs?: number, warmup?: number }} RowSpec
 * `runs` and `warmup`, when set, replace the suite's: for a row too slow to repeat.
 */

/**
 * The whole suite at a scale.
 * @param {number} scale
 * @returns {{ datasets: Record<string, DatasetSpec>, rows: RowSpec[] }}
 */
export function buildPlan(scale) {
  const n = (x) => Math.max(1, Math.round(x * scale))
  const commits = n(10_000)
  const adds = [100_000, 250_000, 500_000, 1_000_000].map(n)
  const scanRows = n(7_000_000)
  // The write workload writes the first quarter of the scan table's rows, to keep the suite short.
  const writeRows = Math.round(scanRows / 4)
  const scanTarget = n(SCAN_TARGET)
  // A simulated 10M-file table behind a v2 checkpoint with sidecars, partitioned by region.
  const v2Files = n(10_000_000)
  const regions = 100
  // The row-level workloads' table: 100 files whatever the scale, so the rows per file scale.
  const dmlRows = n(10_000_000)
  const mergeRows = n(10_000)
  // The compaction's table: 1,000 small files whatever the scale, so the rows per file scale.
  const compactRows = n(10_000_000)
  const datasets = {
    [`log-${commits}`]: { generator: 'log-table', args: { commits } },
    ...Object.fromEntries(adds.map((a) => [`checkpoint-${a}`, { generator: 'checkpoint-table', args: { adds: a } }])),
    [`scan-${scanRows}`]: { generator: 'scan-table', args: { rows: scanRows, target: scanTarget } },
    [`v2-checkpoint-${v2Files}`]: { generator: 'v2-checkpoint-table', args: { files: v2Files, sidecars: 20, tail: 20, regions } },
    [`dml-${dmlRows}`]: { generator: 'dml-table', args: { rows: dmlRows } },
    [`compact-${compactRows}`]: { generator: 'compact-table', args: { rows: compactRows, files: 1000 } },
  }
  const scan = `scan-${scanRows}`
  const biggest = adds.at(-1)
  const v2 = `v2-checkpoint-${v2Files}`
  const rows = [
    { workload: `open-log-${shortCount(commits)}-commits`, group: 'open-log', env: 'node', script: 'open-log.js', dataset: `log-${commits}`, floor: true, goal: '<= 1.3x floor', info: { commits } },
    ...adds.map((a) => ({
      workload: `open-checkpoint-${shortCount(a)}-adds`, group: 'open-checkpoint', env: 'node', script: 'open-checkpoint.js', dataset: `checkpoint-${a}`, floor: true,
      goal: a === biggest ? '<= 1.2x floor, peak < 600 MB, linear in adds' : '<= 1.2x floor, peak < 600 MB', info: { adds: a },
    })),
    // Beside the 1M row: a table ten times bigger, opened without its files, then one
    // partition's files listed and planned and all of them counted. One run: it takes a while.
    {
      workload: `open-v2-${shortCount(v2Files)}-files`, group: 'open-v2', env: 'node', script: 'open-v2.js', dataset: v2, floor: true,
      args: { region: 42, regions }, runs: 1, warmup: 0, goal: 'open + one-partition plan under 2 GB peak', info: { files: v2Files },
    },
    { workload: `open-http-${shortCount(biggest)}-adds`, group: 'open-http', env: 'node', script: 'open-http.js', dataset: `checkpoint-${biggest}`, floor: true, args: { latency: 50 }, goal: '<= 2 waves after _last_checkpoint', info: { adds: biggest } },
    ...['all', 'two-columns', 'filtered'].map((c) => ({
      workload: `scan-${c}`, group: 'scan', env: 'node', script: 'scan.js', case: c, dataset: scan, floor: true,
      baselines: ['duckdb', 'duckdb-1t', 'hyparquet'], goal: c === 'filtered' ? '<= 1.1x floor, reads only matching files' : '<= 1.1x floor', info: { table_rows: scanRows },
    })),
    ...['unpartitioned', 'partitioned'].map((c) => ({
      workload: `write-${c}`, group: 'write', env: 'node', script: 'write.js', case: c, dataset: scan, floor: true,
      args: { target: scanTarget, rows: writeRows }, baselines: ['duckdb', 'duckdb-1t'], goal: '<= 1.2x floor', info: { rows: writeRows },
    })),
    ...['2x', '10x'].map((c) => ({
      workload: `write-stream-${c}`, group: 'write', env: 'node', script: 'write-stream.js', case: c, floor: true,
      args: { target: n(STREAM_TARGET) }, goal: c === '10x' ? 'peak memory bounded by file size (10x input ~ 2x input)' : 'reference for the 10x row',
    })),
    // Row-level changes, each run on a fresh copy of the table: a merge upserting into the last
    // 5 files, and an update and a delete of 1% of the rows (two files), copy-on-write and with
    // deletion vectors.
    ...[['merge', 'merge'], ['update-1pct', 'update'], ['update-1pct-dv', 'update-dv'], ['delete-1pct', 'delete'], ['delete-1pct-dv', 'delete-dv']].map(([w, c]) => ({
      workload: w, group: 'dml', env: 'node', script: 'dml.js', case: c, dataset: `dml-${dmlRows}`, floor: true,
      args: { rows: dmlRows, source: mergeRows }, baselines: ['duckdb', 'duckdb-1t'],
      goal: 'reads only the touched files, peak memory bounded by them, <= 1.5x floor',
    })),
    // Compaction of 1,000 small files into about 10, each run on a fresh copy of the table.
    {
      workload: 'compact', group: 'optimize', env: 'node', script: 'compact.js', dataset: `compact-${compactRows}`, floor: true,
      args: { rows: compactRows, files: 1000 }, baselines: ['duckdb', 'duckdb-1t'], goal: '<= 1.3x floor, peak memory bounded by one target file per worker',
    },
    ...['open-http', 'scan-1-worker', 'scan-2-workers', 'scan-n-workers'].map((c) => ({
      workload: `chromium-${c}`, group: 'chromium', env: 'chromium', script: 'chromium.js', case: c, dataset: c === 'open-http' ? `checkpoint-${biggest}` : scan,
      goal: c === 'open-http' ? '<= 2 waves after _last_checkpoint' : 'no main-thread task > 50 ms; faster with more workers',
    })),
  ]
  return { datasets, rows }
}

/**
 * Whether a row is selected by `--only` (comma-separated group names or workload name prefixes).
 * @param {RowSpec} row
 * @param {string[] | undefined} only
 */
export function isSelected(row, only) {
  return !only || only.some((o) => row.group === o || row.workload.startsWith(o))
}
