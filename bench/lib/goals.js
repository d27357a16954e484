// Judge each result against the goals. The verdicts are data in the results, never
// assertions: a missed goal is something to profile and report, not a failed run.

/**
 * The memory a row-level change may take beyond its process's setup: a constant for the Parquet
 * codec's runtime and this many MB per MB of Arrow data in the touched files and the source.
 * Its floor, which holds nothing but those files decoded and encoded again by the same codec,
 * measured 110-150 MB plus 8-9 MB per MB at scales 0.25 to 2 (the decoder threads' wasm heaps,
 * grown to the files they decoded and never shrunk; the encode's IPC stream, its copy in wasm
 * and the writer's page buffers), so the bound is that constant and 1.5 times that slope. A
 * change that read the whole table (330 MB of Arrow at scale 1) would be far over it.
 */
const DML_RUNTIME_MB = 150
const DML_MB_PER_MB = 12

/**
 * The memory compaction may take beyond its process's setup: the same codec constant, and per
 * worker the Arrow rows of one target file (the bin being written: its decoded files and its
 * encode, at the dml rows' measured 8-9 MB per MB, times 1.5). The library compacts one bin at
 * a time in this process (reading 4 of its files at once), so it has one worker; decoding and
 * encoding the whole table at once (ten target files) would, at that slope, pass 2.5 GB.
 */
const COMPACT_WORKERS = 1

/**
 * Set `goal` ('met', 'missed' or 'pending') and `goal_detail` on every result, and the derived
 * figures the goals need (open cost per 100k adds, growth over the smallest checkpoint).
 * @param {Record<string, any>[]} results
 */
export function judgeGoals(results) {
  const byName = new Map(results.map((r) => [r.workload, r]))
  const checkpoints = results.filter((r) => r.group === 'open-checkpoint' && typeof r.ours_ms === 'number')
  for (const r of checkpoints) r.ms_per_100k_adds = round(r.ours_ms / (r.adds / 100_000))
  const smallest = checkpoints[0]
  for (const r of results) {
    if (r.ours_ms === undefined || r.skipped) {
      r.goal = 'pending'
      continue
    }
    const ratioOk = (limit) => typeof r.ratio_to_floor === 'number' && r.ratio_to_floor <= limit
    switch (r.group) {
      case 'open-log':
        verdict(r, ratioOk(1.3), `${r.ratio_to_floor}x floor`)
        break
      case 'open-checkpoint': {
        const growth = smallest ? r.ms_per_100k_adds / smallest.ms_per_100k_adds : 1
        r.growth_per_add_vs_smallest = round(growth, 2)
        const linear = r === smallest || growth <= 1.25
        const small = typeof r.peak_mb === 'number' && r.peak_mb < 600
        verdict(r, ratioOk(1.2) && linear && small, `${r.ratio_to_floor}x floor (<= 1.2x); ${r.ms_per_100k_adds} ms per 100k adds (${r.growth_per_add_vs_smallest}x the smallest table's, <= 1.25x); peak ${r.peak_mb} MB (< 600 MB)`)
        break
      }
      case 'open-v2': {
        const steps = `open ${r.open_ms} ms, files ${r.files_ms} ms, plan ${r.plan_ms} ms, count ${r.count_ms} ms`
        verdict(r, typeof r.peak_mb === 'number' && r.peak_mb < 2000, `peak ${r.peak_mb} MB (< 2000 MB); ${steps}; ${r.planned_files} of ${r.files_total} files planned`)
        break
      }
      case 'open-http':
        verdict(r, r.waves_after_last_checkpoint <= 2, `${r.waves_after_last_checkpoint} waves after _last_checkpoint (${r.requests} requests)`)
        break
      case 'scan': {
        const filesOk = r.case !== 'filtered' || r.files_read === r.files_matching
        verdict(r, ratioOk(1.1) && filesOk, `${r.ratio_to_floor}x floor` + (r.case === 'filtered' ? `; read ${r.files_read} of ${r.files_total} files, ${r.files_matching} can match` : ''))
        break
      }
      case 'write':
        if (r.workload === 'write-stream-10x') {
          const ref = byName.get('write-stream-2x')
          const ok = ref && typeof ref.peak_mb === 'number' ? r.peak_mb <= ref.peak_mb * 1.15 : false
          verdict(r, ok, ref ? `peak ${r.peak_mb} MB for ${r.input_mb} MB of input vs ${ref.peak_mb} MB for ${ref.input_mb} MB; target file ${r.target_mb} MB` : 'no 2x reference row')
        } else if (r.workload === 'write-stream-2x') {
          r.goal = 'n/a'
          r.goal_detail = 'reference for write-stream-10x'
        } else verdict(r, ratioOk(1.2), `${r.ratio_to_floor}x floor`)
        break
      case 'dml': {
        const scanned = r.numTargetFilesScanned ?? r.files_read
        const filesOk = typeof r.files_read === 'number' && r.files_read <= r.files_touched && scanned <= r.files_touched
        r.memory_bound_mb = round(r.setup_rss_mb + DML_RUNTIME_MB + DML_MB_PER_MB * (r.touched_arrow_mb + (r.source_arrow_mb ?? 0)))
        const memoryOk = typeof r.peak_mb === 'number' && r.peak_mb <= r.memory_bound_mb
        const files = r.numTargetFilesScanned === undefined ? `read ${r.files_read}` : `scanned ${r.numTargetFilesScanned}, read ${r.files_read}`
        verdict(r, ratioOk(1.5) && filesOk && memoryOk, `${r.ratio_to_floor}x floor (<= 1.5x); ${files} of ${r.files_total} files, ${r.files_touched} touched; peak ${r.peak_mb} MB (<= ${r.memory_bound_mb} MB: setup ${r.setup_rss_mb} + ${DML_RUNTIME_MB} + ${DML_MB_PER_MB} x ${round(r.touched_arrow_mb + (r.source_arrow_mb ?? 0))} MB of touched and source rows)`)
        break
      }
      case 'optimize': {
        r.memory_bound_mb = round(r.setup_rss_mb + DML_RUNTIME_MB + DML_MB_PER_MB * COMPACT_WORKERS * r.target_file_arrow_mb)
        const memoryOk = typeof r.peak_mb === 'number' && r.peak_mb <= r.memory_bound_mb
        verdict(r, ratioOk(1.3) && memoryOk, `${r.ratio_to_floor}x floor (<= 1.3x); ${r.files_before} -> ${r.files_after} files; peak ${r.peak_mb} MB (<= ${r.memory_bound_mb} MB: setup ${r.setup_rss_mb} + ${DML_RUNTIME_MB} + ${DML_MB_PER_MB} x ${COMPACT_WORKERS} worker x ${r.target_file_arrow_mb} MB of one target file's rows)`)
        break
      }
      case 'chromium': {
        const responsive = r.longest_task_ms <= 50 && r.longtask_observer_checked === true
        const task = `longest main-thread task ${r.longest_task_ms} ms${r.longtask_observer_checked ? '' : ' (long-task observer unverified)'}`
        if (r.case === 'open-http') {
          verdict(r, responsive && r.waves_after_last_checkpoint <= 2, `${r.waves_after_last_checkpoint} waves after _last_checkpoint (${r.requests} requests); ${task}; renderer peak ${r.peak_mb} MB, through the worker pool`)
        } else {
          const one = byName.get('chromium-scan-1-worker')
          const faster = r.case === 'scan-1-worker' || (one?.ours_ms !== undefined && r.ours_ms < one.ours_ms)
          r.speedup_vs_1_worker = one?.ours_ms ? round(one.ours_ms / r.ours_ms, 2) : undefined
          verdict(r, responsive && faster, `${task}; ${r.workers} worker(s)` + (r.case === 'scan-1-worker' ? '' : `, ${r.speedup_vs_1_worker}x the 1-worker speed`))
        }
        break
      }
      default:
        r.goal = 'n/a'
    }
  }
}

function verdict(r, ok, detail) {
  r.goal = ok ? 'met' : 'missed'
  r.goal_detail = detail
}

function round(x, digits = 1) {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
