// The floor of opening a table: list the log, fetch the files a reader must fetch with the
// library's own parallelism, and decode them with nothing on top (JSON.parse of every commit
// line, parquet-wasm's decode of the checkpoint into JS Arrow).
import { importDist } from './paths.js'
import { decodeParquet } from './wasm.js'

const { LOG_READ_CONCURRENCY } = await importDist('delta/log/snapshot.js')
const { mapLimit } = await importDist('delta/engine/concurrency.js')

/**
 * Read and `JSON.parse` every line of the commit files, LOG_READ_CONCURRENCY at a time, as the
 * library fetches them.
 * @param {import('../../dist/delta/engine/storage.js').Storage} storage
 * @param {string[]} paths
 * @returns {Promise<number>} the number of lines parsed
 */
export async function parseCommitFiles(storage, paths) {
  const decoder = new TextDecoder()
  const counts = await mapLimit(paths, LOG_READ_CONCURRENCY, async (path) => {
    const text = decoder.decode(await storage.read(path))
    let n = 0
    for (const line of text.split('\n')) {
      if (line.length === 0) continue
      JSON.parse(line)
      n++
    }
    return n
  })
  return counts.reduce((a, b) => a + b, 0)
}

/**
 * The log's commit and checkpoint files, from one listing.
 * @param {import('../../dist/delta/engine/storage.js').Storage} storage
 * @param {string} [startAfter]
 */
export async function listLogFiles(storage, startAfter) {
  const files = await storage.list('_delta_log', startAfter ? { startAfter } : undefined)
  return {
    commits: files.filter((f) => /\/\d{20}\.json$/.test(f.path)).map((f) => f.path),
    checkpoints: files.filter((f) => /\/\d{20}\.checkpoint\.parquet$/.test(f.path)).map((f) => f.path),
  }
}

/** The top-level checkpoint columns a snapshot decodes that the library's checkpoint writer writes. */
export const CHECKPOINT_COLUMNS = ['txn', 'add', 'metaData', 'protocol']

/**
 * The floor of opening a checkpointed table: one listing, then the checkpoint (decoded with the
 * same columns into JS Arrow) and the commits after it, fetched together.
 * @param {import('../../dist/delta/engine/storage.js').Storage} storage
 */
export async function readCheckpointFloor(storage) {
  const { commits, checkpoints } = await listLogFiles(storage)
  const checkpoint = checkpoints.at(-1)
  if (!checkpoint) throw new Error('the table has no classic checkpoint')
  const cpVersion = Number(/(\d{20})\.checkpoint/.exec(checkpoint)[1])
  const after = commits.filter((p) => Number(/(\d{20})\.json$/.exec(p)[1]) > cpVersion)
  const [table, lines] = await Promise.all([
    storage.read(checkpoint).then((bytes) => decodeParquet(bytes, CHECKPOINT_COLUMNS)),
    parseCommitFiles(storage, after),
  ])
  return { rows: table.numRows, lines }
}
