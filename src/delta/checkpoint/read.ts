import type { Data, Struct, Table } from 'apache-arrow'
import { fileActionKey, parseAction, parseCommit, type Action, type AddAction, type SidecarAction } from '../model/actions.js'
import { plainReader } from '../arrow/index.js'
import { nullsOf, testBit } from '../arrow/bitmap.js'
import { appendCheckpointAdds } from './adds.js'
import { storageSource, readText, type Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import type { CheckpointFiles } from '../log/log-segment.js'
import { LOG_DIR } from '../log/log-path.js'
import type { FileMeta } from '../engine/storage.js'

// A snapshot needs no tombstones: a checkpoint's adds are already reconciled, so the remove
// column is only decoded for a checkpoint writer. commitInfo and cdc never appear in checkpoints.
const SNAPSHOT_COLUMNS = ['add', 'metaData', 'protocol', 'txn', 'domainMetadata', 'sidecar', 'checkpointMetadata']
const TOMBSTONE_COLUMNS = [...SNAPSHOT_COLUMNS, 'remove']

/** What to decode from a checkpoint beyond what a snapshot needs. */
export interface CheckpointReadOptions {
  /** Also decode the `remove` tombstones (a checkpoint writer carries them forward). */
  tombstones?: boolean
}

/**
 * The actions of a checkpoint, its adds built on demand: a checkpoint can hold millions of
 * them, and replay knows only after reading the newer commits which of them those decided.
 */
export interface CheckpointActions {
  /** Every action but the adds (few, unless tombstones were asked for). */
  others: Action[]
  /** The adds whose file key (see `fileActionKey`) is not in `decided`, in checkpoint order. */
  adds(decided: ReadonlySet<string>): AddAction[]
}

/** One file's share: its non-add actions, and its adds as parsed objects or Arrow chunks. */
interface Part {
  file: string
  others: Action[]
  parsedAdds: AddAction[]
  addChunks: Data<Struct>[]
}

/**
 * Read a checkpoint: classic or multi-part Parquet, or a v2 checkpoint (JSON or Parquet) with
 * its sidecars. Parts and sidecars are read in parallel.
 */
export async function readCheckpoint(engine: Engine, cp: CheckpointFiles, opts: CheckpointReadOptions = {}): Promise<CheckpointActions> {
  const columns = opts.tombstones ? TOMBSTONE_COLUMNS : SNAPSHOT_COLUMNS
  const parts = await Promise.all(cp.files.map((f) => readPart(engine, f, columns)))
  const sidecars = parts.flatMap((p) => p.others.filter((a): a is SidecarAction => a.kind === 'sidecar'))
  if (sidecars.length > 0) {
    for (const p of parts) p.others = p.others.filter((a) => a.kind !== 'sidecar')
    parts.push(...await Promise.all(sidecars.map((s) => {
      const path = s.path.includes('/') ? s.path : `${LOG_DIR}/_sidecars/${s.path}`
      return readParquetPart(engine, { path: decodeURIComponent(path), size: s.sizeInBytes, lastModified: s.modificationTime }, columns)
    })))
  }
  return {
    others: parts.flatMap((p) => p.others),
    adds: (decided) => {
      const out: AddAction[] = []
      for (const p of parts) {
        for (const a of p.parsedAdds) if (decided.size === 0 || !decided.has(fileActionKey(a.path, a.deletionVector))) out.push(a)
        for (const chunk of p.addChunks) appendCheckpointAdds(chunk, p.file, out, decided)
      }
      return out
    },
  }
}

async function readPart(engine: Engine, file: FileMeta, columns: string[]): Promise<Part> {
  if (!file.path.endsWith('.json')) return readParquetPart(engine, file, columns)
  const part: Part = { file: file.path, others: [], parsedAdds: [], addChunks: [] }
  for (const a of parseCommit(await readText(engine.storage, file.path), file.path)) {
    if (a.kind === 'add') part.parsedAdds.push(a)
    else part.others.push(a)
  }
  return part
}

async function readParquetPart(engine: Engine, file: FileMeta, columns: string[]): Promise<Part> {
  let size = file.size
  if (!size) {
    const head = await engine.storage.head(file.path)
    if (!head) throw new DeltaError('InvalidLog', `${file.path}: the checkpoint file is missing`)
    size = head.size
  }
  // Nested INT96 (old Spark stats_parsed) cannot be decoded exactly: leaving it out only
  // loses those bounds for file skipping.
  const table = await engine.parquet.read(storageSource(engine.storage, file.path, size), { columns, nestedInt96: 'omit' })
  return splitColumns(table, file.path)
}

/**
 * A decoded checkpoint file, column by column: each row holds one action, so each action
 * column contributes its non-null rows. The adds stay in their Arrow chunks until replay
 * builds them; the few other actions are parsed as the log's JSON is.
 */
function splitColumns(table: Table, file: string): Part {
  const part: Part = { file, others: [], parsedAdds: [], addChunks: [] }
  for (const batch of table.batches) {
    batch.schema.fields.forEach((field, c) => {
      const data = batch.data.children[c]!
      if (data.nullCount === data.length) return
      if (field.name === 'add') part.addChunks.push(data as Data<Struct>)
      else appendActions(field.name, data, file, part.others)
    })
  }
  return part
}

function appendActions(name: string, data: Data, file: string, out: Action[]): void {
  const read = plainReader(data)
  const valid = nullsOf(data)
  for (let i = 0; i < data.length; i++) {
    if (valid !== undefined && !testBit(valid, data.offset + i)) continue
    const a = parseAction({ [name]: read(i) }, file)
    if (a) out.push(a)
  }
}
