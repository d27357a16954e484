// Workload 3: open workload 2's table over HTTP, from a local static server that answers every
// request 50 ms late, and count the sequential request waves. ours: DeltaTable.open over an
// HttpStorage. floor: the same storage, one listing, then the checkpoint (whole) and the commits
// after it in one wave, decoded as in workload 2's floor (row group by row group, each kept).
import { numberFlag, stringFlag } from '../lib/cli.js'
import { readCheckpointFloor } from '../lib/log-floor.js'
import { childOptions, measure } from '../lib/measure.js'
import { importDist } from '../lib/paths.js'
import { spawnStaticServer } from '../lib/static-server.js'

const opts = childOptions()
const dir = stringFlag(opts.flags, 'dir')
const latencyMs = numberFlag(opts.flags, 'latency', 50)
const { DeltaTable, HttpStorage, publicHttp } = await importDist('index.js')
const { CountingStorage } = await importDist('testing.js')
const { nodeParquetCodec } = await importDist('node.js')
const parquet = await nodeParquetCodec()

/** A fresh storage per run, so each run's requests are counted alone. */
function httpStorage(url) {
  return new CountingStorage(new HttpStorage({ signer: publicHttp(url, { listing: 's3' }) }))
}

function describeRequests(storage) {
  const calls = storage.calls
  const first = calls[0]
  const startsWithHint = first?.path.endsWith('_last_checkpoint') ?? false
  const waves = storage.waves()
  // Requests per wave, in the order CountingStorage.waves() defines them.
  const sizes = []
  let earliestEnd = Number.NEGATIVE_INFINITY
  for (const c of [...calls].sort((a, b) => a.startSeq - b.startSeq)) {
    const end = c.endSeq ?? Number.POSITIVE_INFINITY
    if (sizes.length > 0 && c.startSeq < earliestEnd) {
      sizes[sizes.length - 1]++
      earliestEnd = Math.min(earliestEnd, end)
    } else {
      sizes.push(1)
      earliestEnd = end
    }
  }
  return {
    waves,
    // The hint is read alone in the first wave; the goal counts the waves after it.
    waves_after_last_checkpoint: startsWithHint ? waves - 1 : waves,
    wave_sizes: sizes,
    requests: calls.length,
    mb_fetched: Math.round(calls.reduce((n, c) => n + (c.bytes ?? 0), 0) / 2 ** 20 * 10) / 10,
    latency_ms: latencyMs,
  }
}

const server = await spawnStaticServer(dir, latencyMs)
try {
  if (opts.variant === 'ours') {
    await measure(opts, {
      run: async () => {
        const storage = httpStorage(server.url)
        return { table: await DeltaTable.open('bench-http-table', { storage, parquet }), storage }
      },
      // numFiles, not files(): making a million file objects after the runs would count in the peak.
      describe: ({ table, storage }) => ({ files: table.numFiles, ...describeRequests(storage) }),
    })
  } else if (opts.variant === 'floor') {
    await measure(opts, {
      run: async () => {
        const storage = httpStorage(server.url)
        return { ...(await readCheckpointFloor(storage)), storage }
      },
      describe: ({ rows, row_groups, storage }) => ({ rows, row_groups, ...describeRequests(storage) }),
    })
  } else throw new Error(`unknown variant ${opts.variant}`)
} finally {
  await server.close()
}
