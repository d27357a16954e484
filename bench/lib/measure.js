// The child side of a measurement: warm up, time the runs, report them with the process's
// peak memory on one line the runner reads.
import { performance } from 'node:perf_hooks'
import { parseFlags, numberFlag, stringFlag } from './cli.js'
import { median, round } from './stats.js'

/** The marker of the result line a child prints on stdout. */
export const RESULT_MARK = 'BENCH_RESULT '

/**
 * The flags every workload child takes: which variant and case, how many runs, the scale.
 * @returns {{ variant: string, case: string, runs: number, warmup: number, scale: number, flags: Record<string, string | true> }}
 */
export function childOptions() {
  const flags = parseFlags(process.argv.slice(2))
  return {
    variant: stringFlag(flags, 'variant'),
    case: stringFlag(flags, 'case', 'default'),
    runs: numberFlag(flags, 'runs', 3),
    warmup: Math.floor(Number(flags.warmup ?? 1)),
    scale: numberFlag(flags, 'scale', 1),
    flags,
  }
}

/** Warm-up and timed runs each continue, within the caps, until this much time has passed. */
const MIN_PHASE_MS = 1000
const MAX_WARMUP = 20
const MAX_RUNS = 25

function collectGarbage() {
  if (typeof globalThis.gc === 'function') globalThis.gc()
}

/**
 * Run `run` `warmup` times to warm up (JIT, wasm, OS file cache) and then `runs` times, timing
 * each (a run shorter than a second repeats more: see MIN_PHASE_MS; `warmup` 0 means none, for
 * a run so slow that one is all a row can afford), with
 * a full GC before each so one run's garbage is not collected on the next one's clock. The
 * value a run returns is kept only until the next run, so its memory counts in the peak.
 * Prints the result line and returns it.
 *
 * Peak memory is the process's maximum resident set size (`process.resourceUsage().maxRSS`,
 * kernel-tracked, so short spikes inside synchronous wasm calls are not missed). Each variant
 * runs in its own process, so the figure is that variant's own; it includes Node itself and
 * whatever `setup` loaded, reported as `setup_rss_mb`.
 * @template C
 * @param {{ runs: number, warmup: number }} opts
 * `afterEach` (untimed) cleans up after a run, such as the files a write produced. `describe`
 * adds fields to the result from the last run's value, and is told how many runs warmed up and
 * how long each timed one took (a workload that records each run's steps picks the median's).
 * @param {{ setup?: () => Promise<C> | C, run: (ctx: C) => Promise<unknown>, afterEach?: (ctx: C, last: unknown) => Promise<void> | void, describe?: (last: unknown, ctx: C, timing: { warmupRuns: number, runsMs: number[] }) => Record<string, unknown> | Promise<Record<string, unknown>>, teardown?: (ctx: C) => Promise<void> | void }} body
 */
export async function measure(opts, body) {
  const ctx = body.setup ? await body.setup() : /** @type {C} */ (undefined)
  collectGarbage()
  const setupRss = process.memoryUsage().rss
  const times = []
  let last
  let warmedMs = 0
  let timedMs = 0
  let warmupRuns = 0
  // A short workload repeats until a second of warm-up and a second of timed runs have passed
  // (within caps): three runs of 40 ms measure the JIT's warm-up more than the work.
  for (let i = 0; ; i++) {
    const warming = i < opts.warmup || (opts.warmup > 0 && warmedMs < MIN_PHASE_MS && i < MAX_WARMUP)
    if (!warming && times.length >= opts.runs && (timedMs >= MIN_PHASE_MS || times.length >= MAX_RUNS)) break
    last = undefined
    collectGarbage()
    const t0 = performance.now()
    last = await body.run(ctx)
    const ms = performance.now() - t0
    if (warming) {
      warmedMs += ms
      warmupRuns++
    } else {
      times.push(ms)
      timedMs += ms
    }
    if (body.afterEach) await body.afterEach(ctx, last)
  }
  const extra = body.describe ? await body.describe(last, ctx, { warmupRuns, runsMs: times }) : {}
  last = undefined
  if (body.teardown) await body.teardown(ctx)
  const result = {
    ms: median(times),
    runs_ms: times.map((t) => round(t)),
    peak_mb: round(process.resourceUsage().maxRSS / 1024),
    setup_rss_mb: round(setupRss / 2 ** 20),
    ...extra,
  }
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`)
  return result
}

/**
 * Print a result line for a workload that could not run (missing dependency, pending feature).
 * @param {string} reason
 */
export function reportSkipped(reason) {
  process.stdout.write(`${RESULT_MARK}${JSON.stringify({ skipped: reason })}\n`)
}
