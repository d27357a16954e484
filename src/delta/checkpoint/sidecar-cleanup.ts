import { invalidLog, parseActionOf, parseCommit, type LogLocation } from '../model/actions.js'
import { plainReader } from '../arrow/index.js'
import { isValidRow } from '../arrow/bitmap.js'
import { mapLimit } from '../engine/concurrency.js'
import { storageSource, type Engine } from '../engine/engine.js'
import { isDeltaError } from '../engine/errors.js'
import type { FileMeta } from '../engine/storage.js'
import { listLog } from '../log/log-segment.js'
import { parseLogFileName } from '../log/log-path.js'
import { SIDECAR_DIR } from './write-v2.js'

const MS_PER_DAY = 86_400_000
const READ_CONCURRENCY = 8

/**
 * Delete the sidecar files that no checkpoint left in `_delta_log` names (PROTOCOL.md, Metadata
 * Cleanup, steps 4 and 5), once they were last modified before `cutoff` and before the start of
 * the UTC day before `now`: a checkpoint being written now has written its sidecars but not yet
 * the file that names them, and the protocol keeps sidecars younger than that day for it. Run it
 * after the expired checkpoints are gone, so their sidecars count as unnamed.
 *
 * Every checkpoint that can name sidecars is read (UUID-named ones and classic ones, which may
 * follow the v2 spec; multi-part ones never do), but only when some sidecar is old enough to
 * go. A checkpoint that cannot be read stops the clean-up with its error before anything is
 * deleted, as a sidecar it names would otherwise be lost. Returns the deleted paths, sorted.
 */
export async function deleteOrphanSidecars(engine: Engine, cutoff: number, now: number): Promise<string[]> {
  const threshold = Math.min(cutoff, Math.floor(now / MS_PER_DAY) * MS_PER_DAY - MS_PER_DAY)
  const old = (await listSidecars(engine)).filter((f) => f.lastModified < threshold)
  if (old.length === 0) return []
  const named = await namedSidecars(engine)
  const doomed = old.map((f) => f.path).filter((p) => !named.has(p.slice(p.lastIndexOf('/') + 1))).sort()
  await mapLimit(doomed, READ_CONCURRENCY, (path) => engine.storage.delete(path))
  return doomed
}

async function listSidecars(engine: Engine): Promise<FileMeta[]> {
  try {
    return await engine.storage.list(SIDECAR_DIR)
  } catch (e) {
    if (isDeltaError(e, 'NotFound')) return []
    throw e
  }
}

/** The file names (in `_sidecars`) of every sidecar the checkpoints in `_delta_log` name. */
async function namedSidecars(engine: Engine): Promise<Set<string>> {
  const checkpoints = (await listLog(engine.storage)).filter((f) => {
    const p = parseLogFileName(f.path.slice(f.path.lastIndexOf('/') + 1))
    return p?.kind === 'checkpoint' && p.format !== 'multipart'
  })
  const names = new Set<string>()
  const lists = await mapLimit(checkpoints, READ_CONCURRENCY, (f) => sidecarPathsOf(engine, f))
  for (const list of lists) for (const raw of list) names.add(sidecarName(raw))
  return names
}

/** The raw `path` of each sidecar action in one checkpoint file. */
async function sidecarPathsOf(engine: Engine, file: FileMeta): Promise<string[]> {
  if (file.path.endsWith('.json')) {
    return parseCommit(await engine.storage.read(file.path), file.path, { checkpoint: true }).flatMap((a) => (a.kind === 'sidecar' ? [a.path] : []))
  }
  const size = file.size || (await engine.storage.head(file.path))?.size
  if (!size) throw invalidLog(file.path, 'the checkpoint file is missing or empty')
  // A file without a `sidecar` column (every v1 checkpoint) comes back without it.
  const table = await engine.parquet.read(storageSource(engine.storage, file.path, size), { columns: ['sidecar'] })
  const out: string[] = []
  const at: LogLocation = { file: file.path, row: 0 }
  let firstRow = 0
  for (const batch of table.batches) {
    const index = batch.schema.fields.findIndex((f) => f.name === 'sidecar')
    if (index >= 0) {
      const data = batch.data.children[index]!
      const read = plainReader(data)
      for (let i = 0; i < data.length; i++) {
        if (!isValidRow(data, i)) continue
        at.row = firstRow + i
        const action = parseActionOf('sidecar', read(i), at)
        if (action.kind === 'sidecar') out.push(action.path)
      }
    }
    firstRow += batch.numRows
  }
  return out
}

/** A sidecar's file name: its path is the name, or a path or URI ending in `_delta_log/_sidecars/<name>`. */
function sidecarName(raw: string): string {
  let decoded = raw
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    // Not valid encoding: the name is taken as written.
  }
  return decoded.slice(decoded.lastIndexOf('/') + 1)
}
