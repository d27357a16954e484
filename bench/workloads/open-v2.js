// Workload 2b: the simulated 10M-file table behind a v2 checkpoint with 20 sidecars,
// partitioned by region, plus 20 commits. ours: DeltaTable.open without the file state, then
// one partition's files (files), the scan plan of the same partition (planScan) and the count
// of every file (countFiles): each reads the checkpoint again keeping only what may match, so
// memory follows the question, not the table. The run times all four; the row records each
// step's time and the process's peak after it. floor: what any replay of the table's files
// must decode: the top-level checkpoint file, the commits after it and the add column of every
// sidecar, a row group at a time, each dropped once decoded.
import { numberFlag, stringFlag } from '../lib/cli.js'
import { regionOf } from '../lib/log-data.js'
import { readV2CheckpointFloor } from '../lib/log-floor.js'
import { childOptions, measure } from '../lib/measure.js'
import { importDist } from '../lib/paths.js'
import { median, round } from '../lib/stats.js'

const opts = childOptions()
const dir = stringFlag(opts.flags, 'dir')
const region = regionOf(numberFlag(opts.flags, 'region', 42), numberFlag(opts.flags, 'regions', 100))
const filter = `region = '${region}'`
const { DeltaTable } = await importDist('index.js')
const { NodeFsStorage, nodeParquetCodec } = await importDist('node.js')
const storage = new NodeFsStorage(dir)
const parquet = await nodeParquetCodec()

/** The process's peak resident memory so far, in MB. */
const peakMb = () => round(process.resourceUsage().maxRSS / 1024)

/** Each run's steps, in run order (warm-ups included). */
const steps = []

/** Open, list one partition, plan it, count everything; the steps' times go to `steps`. */
async function openAndPlan() {
  const t0 = performance.now()
  const table = await DeltaTable.open(dir, { storage, parquet, withoutFiles: true })
  const t1 = performance.now()
  const after = { open: peakMb() }
  const files = await table.files({ filter })
  const t2 = performance.now()
  after.files = peakMb()
  const plan = await table.planScan({ filter })
  const t3 = performance.now()
  after.plan = peakMb()
  const total = await table.countFiles()
  const t4 = performance.now()
  after.count = peakMb()
  steps.push({
    version: table.version,
    files_total: total,
    files_in_partition: files.length,
    planned_files: plan.files.length,
    open_ms: round(t1 - t0),
    files_ms: round(t2 - t1),
    plan_ms: round(t3 - t2),
    count_ms: round(t4 - t3),
    peak_mb_after: after,
  })
  return { table, files, plan }
}

/** The steps of the timed run whose time is the median (the nearest one, for an even count). */
function medianSteps(warmupRuns, runsMs) {
  const mid = median(runsMs)
  let best = 0
  for (let i = 1; i < runsMs.length; i++) if (Math.abs(runsMs[i] - mid) < Math.abs(runsMs[best] - mid)) best = i
  return steps[warmupRuns + best]
}

if (opts.variant === 'ours') {
  await measure(opts, {
    run: openAndPlan,
    describe: ({ files }, _ctx, { warmupRuns, runsMs }) => ({
      region,
      ...medianSteps(warmupRuns, runsMs),
      // A check on the answer, not a figure: every listed file is in the partition asked for.
      files_outside_partition: files.filter((f) => f.partitionValues.region !== region).length,
    }),
  })
} else if (opts.variant === 'floor') {
  await measure(opts, { run: () => readV2CheckpointFloor(storage), describe: (r) => r })
} else throw new Error(`unknown variant ${opts.variant}`)
