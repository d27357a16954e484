import { DataType, type Data, type Struct } from 'apache-arrow'
import { copyData } from '../arrow/copy-data.js'
import { mapLimit } from '../engine/concurrency.js'
import { storageSource, type Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import type { ActiveFiles } from './active-files.js'
import type { AddColumns } from './add-columns.js'

/** Checkpoint files whose stats are read at once. */
const FILE_CONCURRENCY = 4

const loading = new WeakMap<ActiveFiles, Promise<void>>()

/**
 * Read the stats (`add.stats`, `add.stats_parsed`) that opening a table left in its checkpoint
 * files, once per file set (concurrent callers share the read), and hand each chunk of columns
 * its own. A file is decoded batch by batch as it was at open, so each batch of stats lines up
 * with a chunk; the stats are copied out of the decoded batch so that it can go.
 */
export function loadDeferredStats(engine: Engine, files: ActiveFiles): Promise<void> {
  const pending = deferredChunks(files)
  if (pending.size === 0) return Promise.resolve()
  let p = loading.get(files)
  if (!p) {
    p = mapLimit([...pending], FILE_CONCURRENCY, ([file, chunks]) => readFileStats(engine, file, chunks)).then(() => undefined)
    // A failed read is not kept: the next caller tries again.
    p.catch(() => loading.delete(files))
    loading.set(files, p)
  }
  return p
}

/** The chunks still waiting for their stats, by the file that holds them. */
function deferredChunks(files: ActiveFiles): Map<string, AddColumns[]> {
  const out = new Map<string, AddColumns[]>()
  const seen = new Set<AddColumns>()
  for (const r of files.runs) {
    if ('adds' in r || !r.cols.deferredStats || seen.has(r.cols)) continue
    seen.add(r.cols)
    const list = out.get(r.cols.deferredStats.file) ?? []
    list.push(r.cols)
    out.set(r.cols.deferredStats.file, list)
  }
  return out
}

async function readFileStats(engine: Engine, file: string, chunks: AddColumns[]): Promise<void> {
  const size = chunks[0]!.deferredStats!.size
  const byRow = new Map(chunks.map((c) => [c.firstRow, c]))
  const source = storageSource(engine.storage, file, size)
  const opts = { columns: [['add', 'stats'], ['add', 'stats_parsed']], nestedInt96: 'omit' as const }
  const batches = engine.parquet.readBatches ? engine.parquet.readBatches(source, opts) : [await engine.parquet.read(source, opts)]
  let row = 0
  for await (const table of batches) {
    for (const batch of table.batches) {
      const chunk = byRow.get(row)
      if (chunk) {
        if (chunk.length !== batch.numRows) {
          throw new DeltaError('Internal', `the statistics of '${file}' from row ${row} do not line up with the files read at open (${batch.numRows} rows for ${chunk.length})`)
        }
        const c = batch.schema.fields.findIndex((f) => f.name === 'add')
        const add = c < 0 ? undefined : (batch.data.children[c] as Data<Struct>)
        chunk.attachStats(childOf(add, 'stats'), childOf(add, 'stats_parsed'))
        byRow.delete(row)
      }
      row += batch.numRows
    }
  }
  if (byRow.size > 0) throw new DeltaError('Internal', `the statistics of '${file}' ended before every chunk read at open had its own`)
}

/** A field of the decoded `add` struct, in buffers of its own; undefined when absent or all null. */
function childOf(add: Data<Struct> | undefined, name: string): Data | undefined {
  if (!add) return undefined
  const i = add.type.children.findIndex((f) => f.name === name)
  const child = i < 0 ? undefined : add.children[i]
  if (!child || child.nullCount === child.length || DataType.isNull(child.type)) return undefined
  return copyData(child)
}
