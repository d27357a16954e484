import type { Data, Struct, Table } from 'apache-arrow'
import {
  canonicalFileKey, canonicalPath, fileActionKey, invalidLog, isActionKind, parseActionOf, parseCommit, type Action, type AddAction, type LogLocation, type SidecarAction,
} from '../model/actions.js'
import { plainReader } from '../arrow/index.js'
import { compactStruct } from '../arrow/copy-data.js'
import { isValidRow, nullsOf, testBit } from '../arrow/bitmap.js'
import { AddColumns } from '../files/add-columns.js'
import type { FileRun } from '../files/active-files.js'
import { keepCheckpointRows } from '../files/keep-rows.js'
import { FileKeyHashes, fileKeyHash, fileKeyStringHash } from './duplicates.js'
import { storageSource, type Engine } from '../engine/engine.js'
import { isDeltaError } from '../engine/errors.js'
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
  /**
   * The adds whose file key (see `fileActionKey`) is not in `decided`, in checkpoint order, as
   * runs of rows of the decoded columns (no object per file). A file added twice in the
   * checkpoint (its parts and sidecars together) is `InvalidLog`.
   */
  adds(decided: ReadonlySet<string>): FileRun[]
}

/** One file's share: its non-add actions, and its adds as parsed objects or Arrow chunks. */
interface Part {
  file: string
  others: Action[]
  parsedAdds: AddAction[]
  addChunks: AddColumns[]
}

/**
 * Read a checkpoint: classic or multi-part Parquet, or a v2 checkpoint (JSON or Parquet) with
 * its sidecars. Parts and sidecars are read in parallel. Beyond each action's own checks, the
 * checkpoint as a whole must hold at most one `metaData`, `protocol` and `checkpointMetadata`
 * (of its own version), one `txn` per application, one `domainMetadata` per domain, name each
 * sidecar once (sidecars holding file actions only), and add each file once.
 */
export async function readCheckpoint(engine: Engine, cp: CheckpointFiles, opts: CheckpointReadOptions = {}): Promise<CheckpointActions> {
  const columns = opts.tombstones ? TOMBSTONE_COLUMNS : SNAPSHOT_COLUMNS
  const parts = await Promise.all(cp.files.map((f) => readPart(engine, f, columns)))
  const sidecars = sidecarsOf(parts)
  if (sidecars.length > 0) {
    const read = await Promise.all(sidecars.map((s) => readSidecar(engine, s.path, s.action, columns)))
    for (const p of read) {
      const other = p.others.find((a) => a.kind !== 'remove')
      if (other) throw invalidLog(p.file, `a sidecar holds a ${other.kind} action; sidecars hold add and remove actions only`)
      parts.push(p)
    }
  }
  checkCheckpointActions(parts, cp)
  return {
    others: parts.flatMap((p) => p.others),
    adds: (decided) => checkpointAdds(parts, decided),
  }
}

async function readPart(engine: Engine, file: FileMeta, columns: string[]): Promise<Part> {
  if (!file.path.endsWith('.json')) return readParquetPart(engine, file, columns)
  const part: Part = { file: file.path, others: [], parsedAdds: [], addChunks: [] }
  for (const a of parseCommit(await engine.storage.read(file.path), file.path, { checkpoint: true })) {
    if (a.kind === 'add') part.parsedAdds.push(a)
    else if (a.kind !== 'commitInfo' && a.kind !== 'cdc') part.others.push(a)
  }
  return part
}

async function readParquetPart(engine: Engine, file: FileMeta, columns: string[]): Promise<Part> {
  let size = file.size
  if (!size) {
    const head = await engine.storage.head(file.path)
    if (!head) throw invalidLog(file.path, 'the checkpoint file is missing')
    size = head.size
  }
  // Nested INT96 (old Spark stats_parsed) cannot be decoded exactly: leaving it out only
  // loses those bounds for file skipping.
  // The storage guard and the codec both check every read's length: a size from a hint
  // (`_last_checkpoint`, a sidecar action) never hands the decoder fewer bytes than it asked for.
  // Batch by batch, so that the decoder never holds the whole checkpoint decoded at once.
  const source = storageSource(engine.storage, file.path, size)
  const opts = { columns, nestedInt96: 'omit' as const }
  const batches = engine.parquet.readBatches ? engine.parquet.readBatches(source, opts) : [await engine.parquet.read(source, opts)]
  const part: Part = { file: file.path, others: [], parsedAdds: [], addChunks: [] }
  let firstRow = 0
  for await (const table of batches) firstRow = splitColumns(table, part, firstRow)
  return part
}

/** A sidecar named by a checkpoint, with the file that names it (for messages). */
interface NamedSidecar {
  path: string
  action: SidecarAction
}

/**
 * The sidecars the parts name, each once (taken out of the parts' actions). A sidecar lives in
 * `_delta_log/_sidecars/` (PROTOCOL.md): its path is its file name there, or a path or URI that
 * ends in that folder; anything else, or a sidecar named twice (its rows would count twice), is
 * `InvalidLog`.
 */
function sidecarsOf(parts: Part[]): NamedSidecar[] {
  const out: NamedSidecar[] = []
  const named = new Map<string, string>()
  for (const p of parts) {
    const rest: Action[] = []
    for (const a of p.others) {
      if (a.kind !== 'sidecar') {
        rest.push(a)
        continue
      }
      const path = sidecarPath(a.path, p.file)
      const first = named.get(path)
      if (first !== undefined) throw invalidLog(p.file, `the sidecar '${a.path}' is named twice (as '${first}' and '${a.path}'); its file actions would count twice`)
      named.set(path, a.path)
      out.push({ path, action: a })
    }
    p.others = rest
  }
  return out
}

const SIDECAR_DIR = `${LOG_DIR}/_sidecars`

function sidecarPath(raw: string, file: string): string {
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch (e) {
    throw invalidLog(file, `the sidecar path '${raw}' is not valid URI encoding`, e)
  }
  const name = decoded.slice(decoded.lastIndexOf('/') + 1)
  const inFolder = !decoded.includes('/') || decoded === `${SIDECAR_DIR}/${name}` || decoded.endsWith(`/${SIDECAR_DIR}/${name}`)
  if (!inFolder || name === '' || name === '.' || name === '..') {
    throw invalidLog(file, `the sidecar path '${raw}' does not name a file in ${SIDECAR_DIR}/, where sidecars live`)
  }
  return `${SIDECAR_DIR}/${name}`
}

/**
 * Read a sidecar. Its size comes from the checkpoint's action, which is the writer's word: if
 * reading with it fails and the storage knows another size, the sidecar is read with that one.
 */
async function readSidecar(engine: Engine, path: string, s: SidecarAction, columns: string[]): Promise<Part> {
  try {
    return await readParquetPart(engine, { path, size: s.sizeInBytes, lastModified: s.modificationTime }, columns)
  } catch (e) {
    if (isDeltaError(e, 'Cancelled')) throw e
    const head = await engine.storage.head(path)
    if (!head) throw invalidLog(path, 'the sidecar file a checkpoint names is missing', e)
    if (head.size === s.sizeInBytes) throw e
    return readParquetPart(engine, head.path === path ? head : { ...head, path }, columns)
  }
}

/** The checks on a checkpoint's non-add actions as a whole (all parts and sidecars). */
function checkCheckpointActions(parts: Part[], cp: CheckpointFiles): void {
  const once = new Set<string>()
  for (const p of parts) {
    for (const a of p.others) {
      let key: string | undefined
      if (a.kind === 'metaData' || a.kind === 'protocol') key = a.kind
      else if (a.kind === 'checkpointMetadata') {
        if (a.version !== cp.version) throw invalidLog(p.file, `checkpointMetadata.version is ${a.version}, but the checkpoint is of version ${cp.version}`)
        key = a.kind
      } else if (a.kind === 'txn') key = `txn\u0000${a.appId}`
      else if (a.kind === 'domainMetadata') key = `domainMetadata\u0000${a.domain}`
      if (key === undefined) continue
      if (once.has(key)) {
        const what = a.kind === 'txn' ? `txn actions for application '${a.appId}'` : a.kind === 'domainMetadata' ? `domainMetadata actions for domain '${a.domain}'` : `${a.kind} actions`
        throw invalidLog(p.file, `the checkpoint of version ${cp.version} holds two ${what}; it holds at most one`)
      }
      once.add(key)
    }
  }
}

/**
 * The adds of every part not decided by newer commits, checking that no file is added twice:
 * every key's hash is kept (see {@link FileKeyHashes}), and only when two hashes are equal are
 * those keys compared, in a second pass.
 */
function checkpointAdds(parts: Part[], decided: ReadonlySet<string>): FileRun[] {
  let expected = 0
  for (const p of parts) {
    expected += p.parsedAdds.length
    for (const c of p.addChunks) expected += c.length
  }
  const keys = new FileKeyHashes(expected)
  const decidedKeys = { keys: decided, hashes: new Set([...decided].map(fileKeyStringHash)) }
  const runs: FileRun[] = []
  for (const p of parts) {
    const adds: AddAction[] = []
    for (const a of p.parsedAdds) {
      keys.add(fileKeyHash(a.path, a.deletionVector ?? null))
      if (decided.size === 0 || !decided.has(fileActionKey(a.path, a.deletionVector))) adds.push(a)
    }
    if (adds.length > 0) runs.push({ adds })
    for (const cols of p.addChunks) runs.push({ cols, rows: keepCheckpointRows(cols, decidedKeys, keys) })
  }
  const repeated = keys.repeatedHashes()
  if (repeated) refuseRepeatedAdds(parts, repeated)
  return runs
}

/** Compare the keys whose hashes repeat; two equal keys are a file added twice: `InvalidLog`. */
function refuseRepeatedAdds(parts: Part[], hashes: ReadonlySet<number>): void {
  const seen = new Map<string, string>()
  const visit = (key: string, at: LogLocation, path: string): void => {
    const where = at.row !== undefined ? `${at.file} row ${at.row}` : at.file
    const first = seen.get(key)
    if (first !== undefined) throw invalidLog(at, `the file '${path}' is added twice in one checkpoint (also at ${first}); a checkpoint adds each file once`)
    seen.set(key, where)
  }
  for (const p of parts) {
    for (const a of p.parsedAdds) {
      if (hashes.has(fileKeyHash(a.path, a.deletionVector ?? null))) visit(fileActionKey(a.path, a.deletionVector), { file: p.file }, a.path)
    }
    for (const cols of p.addChunks) {
      for (let i = 0; i < cols.length; i++) {
        if (!isValidRow(cols.data, i)) continue
        const path = cols.pathOf(i)
        const dv = cols.deletionVectorOf(i)
        const canonical = canonicalPath(path)
        if (hashes.has(fileKeyHash(path, dv, undefined, 0, 0, canonical))) visit(canonicalFileKey(canonical, dv), { file: p.file, row: cols.firstRow + i }, canonical)
      }
    }
  }
}

/**
 * One decoded batch of a checkpoint file, column by column, added to `part`; gives the row
 * after the batch. Each row holds one action, so each action column contributes its non-null rows. The adds stay in their Arrow chunks until replay
 * builds them; the few other actions go through the one validator, row by row.
 */
function splitColumns(table: Table, part: Part, firstRow: number): number {
  const at: LogLocation = { file: part.file, row: 0 }
  for (const batch of table.batches) {
    batch.schema.fields.forEach((field, c) => {
      const data = batch.data.children[c]!
      if (data.nullCount === data.length) return
      // Copied out of the decoded batch, without the fields no row uses, so that the batch (every
      // other action column with it) can go.
      if (field.name === 'add') part.addChunks.push(new AddColumns(compactStruct(data as Data<Struct>), part.file, firstRow))
      else appendActions(field.name, data, at, firstRow, part.others)
    })
    firstRow += batch.numRows
  }
  return firstRow
}

function appendActions(name: string, data: Data, at: LogLocation, firstRow: number, out: Action[]): void {
  if (!isActionKind(name)) return
  const read = plainReader(data)
  const valid = nullsOf(data)
  for (let i = 0; i < data.length; i++) {
    if (valid !== undefined && !testBit(valid, data.offset + i)) continue
    at.row = firstRow + i
    out.push(parseActionOf(name, read(i), at))
  }
}
