// `npm run bench`: builds nothing itself (the npm script builds dist/ first), then runs every
// workload's variants in fresh processes, prints one table, and records it in
// bench/results/latest.json. Flags: --scale N (sizes x N, default 1), --only a,b (groups or
// workload name prefixes), --runs N (timed runs per variant, default 3), --warmup N (default 1),
// --wait-quiet S (before each row, wait up to S seconds for the 1-minute load average to fall
// below 1: other work on a 2-core machine moves timings by tens of percent). A row too slow to
// repeat names its own runs and warm-ups in the plan, which these flags do not override.
import { rmSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { runChild } from './lib/child.js'
import { parseFlags, numberFlag } from './lib/cli.js'
import { ensureDataset } from './lib/datasets.js'
import { judgeGoals } from './lib/goals.js'
import { TMP_DIR, checkBuilt } from './lib/paths.js'
import { buildPlan, isSelected } from './lib/plan.js'
import { formatTable, mergeResults, writeResults } from './lib/report.js'
import { round } from './lib/stats.js'

const flags = parseFlags(process.argv.slice(2))
const scale = numberFlag(flags, 'scale', 1)
const runs = Math.max(3, Math.floor(numberFlag(flags, 'runs', 3)))
const warmup = Math.floor(Number(flags.warmup ?? 1))
const waitQuiet = flags['wait-quiet'] === undefined ? 0 : numberFlag(flags, 'wait-quiet', 0)
const only = typeof flags.only === 'string' ? flags.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined
checkBuilt()
// Output a killed run left behind.
rmSync(TMP_DIR, { recursive: true, force: true })

const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`
const { datasets, rows } = buildPlan(scale)
const selected = rows.filter((r) => isSelected(r, only))
if (selected.length === 0) throw new Error(`--only ${flags.only} matches no workload; groups: ${[...new Set(rows.map((r) => r.group))].join(', ')}`)
console.log(`deltalake bench: scale ${scale}, ${runs} runs after ${warmup} warm-up, ${machine}`)

const fresh = []
for (const spec of selected) fresh.push(await runRow(spec))
const all = mergeResults(fresh, rows.map((r) => r.workload))
judgeGoals(all)
const name = writeResults(all)
console.log(`\n${formatTable(all)}\n\nwritten: bench/results/${name}.json, bench/results/${name}.md`)

/** Measure one row: ours, then the floor, then each baseline, each in its own process. */
async function runRow(spec) {
  let dir
  if (spec.dataset) {
    const d = ensureDataset(spec.dataset, datasets[spec.dataset])
    if (d.generated) console.log(`  generated ${spec.dataset} in ${round(d.ms / 1000)} s`)
    dir = d.dir
  }
  await waitForQuiet()
  const loadBefore = loadavg()[0]
  const base = { case: spec.case, runs: spec.runs ?? runs, warmup: spec.warmup ?? warmup, scale, dir, ...spec.args }
  const ours = await runChild(spec.script, { ...base, variant: 'ours' })
  const floor = spec.floor && !ours.skipped ? await runChild(spec.script, { ...base, variant: 'floor' }) : undefined
  const baselines = {}
  const baselinePeaks = {}
  const errors = [ours.error, floor?.error]
  for (const name of ours.skipped ? [] : spec.baselines ?? []) {
    const b = await runChild(spec.script, { ...base, variant: name })
    if (b.error) errors.push(b.error)
    else {
      baselines[name] = round(b.ms)
      baselinePeaks[name] = b.peak_mb
    }
  }
  const row = toResult(spec, ours, floor, baselines, baselinePeaks, errors.filter(Boolean))
  // Other work on the machine skews timings: the 1-minute load average shows how quiet it was.
  row.load_avg = [round(loadBefore, 2), round(loadavg()[0], 2)]
  console.log(`  ${row.workload}: ours ${row.ours_ms ?? '-'} ms, floor ${row.floor_ms ?? '-'} ms${row.error ? `, ERROR ${row.error}` : ''}${row.skipped ? `, ${row.skipped}` : ''}`)
  return row
}

/** With --wait-quiet: wait (up to its limit) for the machine's load average to fall below 1. */
async function waitForQuiet() {
  const deadline = Date.now() + waitQuiet * 1000
  while (loadavg()[0] >= 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5000))
}

function toResult(spec, ours, floor, baselines, baselinePeaks, errors) {
  const { ms, runs_ms, peak_mb, setup_rss_mb, error: _e, skipped, ...extra } = ours
  const row = {
    workload: spec.workload,
    env: spec.env,
    group: spec.group,
    ...(spec.case && { case: spec.case }),
    ours_ms: ms === undefined ? undefined : round(ms),
    floor_ms: floor?.ms === undefined ? undefined : round(floor.ms),
    baselines,
    ratio_to_floor: ms !== undefined && floor?.ms ? round(ms / floor.ms, 2) : undefined,
    peak_mb,
    ...spec.info,
    ...extra,
    runs_ms,
    setup_rss_mb,
    ...(floor && !floor.error && { floor_runs_ms: floor.runs_ms, floor_peak_mb: floor.peak_mb, floor_info: omit(floor, ['ms', 'runs_ms', 'peak_mb', 'setup_rss_mb']) }),
    ...(Object.keys(baselinePeaks).length > 0 && { baseline_peak_mb: baselinePeaks }),
    goal_text: spec.goal,
    scale,
    runs: spec.runs ?? runs,
    machine,
    measured_at: new Date().toISOString(),
    ...(skipped && { skipped }),
    ...(errors.length > 0 && { error: errors.join(' || ') }),
  }
  return row
}

function omit(o, keys) {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)))
}
