import type { Data, Struct, Table } from 'apache-arrow'
import {
  canonicalFileKey, canonicalPath, fileActionKey, invalidLog, isActionKind, parseActionOf, parseCommit, type Action, type AddAction, type LogLocation, type SidecarAction,
} from '../model/actions.js'
import { plainReader } from '../arrow/index.js'
import { isValidRow, nullsOf, testBit } from '../arrow/bitmap.js'
import { AddColumns, type DeferredStats } from '../files/add-columns.js'
import type { AddSink, CollectedFiles } from '../files/collect-files.js'
import { fileKeyHash } from '../files/file-keys.js'
import { mapLimit } from '../engine/concurrency.js'
import { storageSource, type Engine } from '../engine/engine.js'
import { isDeltaError } from '../engine/errors.js'
import type { CheckpointFiles } from '../log/log-segment.js'
import { LOG_DIR } from '../log/log-path.js'
import type { FileMeta } from '../engine/storage.js'

// A snapshot needs no tombstones: a checkpoint's adds are already reconciled, so the remove
// column is only decoded for a checkpoint writer. commitInfo and cdc never appear in checkpoints.
const OTHER_COLUMNS = ['metaData', 'protocol', 'txn', 'domainMetadata', 'sidecar', 'checkpointMetadata']

/**
 * Sidecars read at once: their bytes are fetched in parallel, while each holds at most a couple
 * of decoded batches until the sink has taken them.
 */
const SIDECAR_CONCURRENCY = 4

/** What to decode from a checkpoint beyond its non-file actions. */
export interface CheckpointReadOptions {
  /** Also decode the `remove` tombstones (a checkpoint writer carries them forward). */
  tombstones?: boolean
  /**
   * Where the adds go, chunk by chunk as they are decoded (see `FileCollector`); without one,
   * the adds are not decoded at all, nor sidecars read unless tombstones are asked for.
   */
  adds?: AddSink
  /** Decode only these fields of the `add` column (a count needs its keys alone); all by default. */
  addFields?: string[]
  /**
   * Leave the adds' stats (`stats`, `stats_parsed`) in the file, to be read on first use (see
   * `loadDeferredStats`): most of a checkpoint's bytes, which opening a table does not need.
   */
  deferStats?: boolean
}

/** The fields of an add but its stats, as checkpoints hold them. */
const ADD_FIELDS_BUT_STATS = [
  'path', 'partitionValues', 'size', 'modificationTime', 'dataChange', 'tags', 'deletionVector',
  'baseRowId', 'defaultRowCommitVersion', 'clusteringProvider', 'partitionValues_parsed',
]

/** The non-add actions of a checkpoint (its adds went to the sink, if one was given). */
export interface CheckpointActions {
  /** Every action but the adds (few, unless tombstones were asked for). */
  others: Action[]
}

/** One file's share: its non-add actions. */
interface Part {
  file: string
  others: Action[]
}

/**
 * Read a checkpoint: classic or multi-part Parquet, or a v2 checkpoint (JSON or Parquet) with
 * its sidecars. Parts are read in parallel, sidecars a few at a time, each batch by batch, and
 * the adds are handed to `opts.adds` as they are decoded (parts numbered in order: the
 * checkpoint's files, then its sidecars). Beyond each action's own checks, the checkpoint as a
 * whole must hold at most one `metaData`, `protocol` and `checkpointMetadata` (of its own
 * version), one `txn` per application, one `domainMetadata` per domain, and name each sidecar
 * once (sidecars holding file actions only). That no file is added twice is the sink's check
 * (see {@link refuseRepeatedAdds}).
 */
export async function readCheckpoint(engine: Engine, cp: CheckpointFiles, opts: CheckpointReadOptions = {}): Promise<CheckpointActions> {
  const fields = opts.addFields ?? (opts.deferStats ? ADD_FIELDS_BUT_STATS : undefined)
  const add: (string | string[])[] = !opts.adds ? [] : fields ? fields.map((f) => ['add', f]) : ['add']
  const defer = opts.deferStats === true && opts.addFields === undefined
  const columns = [...add, ...OTHER_COLUMNS, ...(opts.tombstones ? ['remove'] : [])]
  const parts = await Promise.all(cp.files.map((f, i) => readPart(engine, f, columns, opts.adds, i, defer)))
  const sidecars = sidecarsOf(parts)
  if (sidecars.length > 0 && (opts.adds || opts.tombstones)) {
    const first = parts.length
    const read = await mapLimit(sidecars, SIDECAR_CONCURRENCY, (s, i) => readSidecar(engine, s.path, s.action, columns, opts.adds, first + i, defer))
    for (const p of read) {
      const other = p.others.find((a) => a.kind !== 'remove')
      if (other) throw invalidLog(p.file, `a sidecar holds a ${other.kind} action; sidecars hold add and remove actions only`)
      parts.push(p)
    }
  }
  checkCheckpointActions(parts, cp)
  return { others: parts.flatMap((p) => p.others) }
}

async function readPart(engine: Engine, file: FileMeta, columns: (string | string[])[], sink: AddSink | undefined, index: number, defer: boolean): Promise<Part> {
  if (!file.path.endsWith('.json')) return readParquetPart(engine, file, columns, sink, index, defer)
  const part: Part = { file: file.path, others: [] }
  const adds: AddAction[] = []
  for (const a of parseCommit(await engine.storage.read(file.path), file.path, { checkpoint: true })) {
    if (a.kind === 'add') adds.push(a)
    else if (a.kind !== 'commitInfo' && a.kind !== 'cdc') part.others.push(a)
  }
  if (sink) await sink.actions(adds, file.path, index)
  return part
}

async function readParquetPart(engine: Engine, file: FileMeta, columns: (string | string[])[], sink: AddSink | undefined, index: number, defer: boolean): Promise<Part> {
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
  const part: Part = { file: file.path, others: [] }
  let firstRow = 0
  const deferred = defer ? { file: file.path, size } : undefined
  for await (const table of batches) firstRow = await splitColumns(table, part, firstRow, sink, index, deferred)
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
async function readSidecar(
  engine: Engine, path: string, s: SidecarAction, columns: (string | string[])[], sink: AddSink | undefined, index: number, defer: boolean,
): Promise<Part> {
  try {
    return await readParquetPart(engine, { path, size: s.sizeInBytes, lastModified: s.modificationTime }, columns, sink, index, defer)
  } catch (e) {
    if (isDeltaError(e, 'Cancelled')) throw e
    const head = await engine.storage.head(path)
    if (!head) throw invalidLog(path, 'the sidecar file a checkpoint names is missing', e)
    if (head.size === s.sizeInBytes) throw e
    return readParquetPart(engine, head.path === path ? head : { ...head, path }, columns, sink, index, defer)
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
 * Refuse a file added twice in one checkpoint, given what a collector gathered while keeping
 * every file: only the keys whose hashes repeat are compared, as strings. Two equal keys are
 * `InvalidLog` naming both places.
 */
export function refuseRepeatedAdds(collected: CollectedFiles): void {
  const hashes = collected.repeated
  if (!hashes || !collected.chunks) return
  const seen = new Map<string, string>()
  const visit = (key: string, at: LogLocation, path: string): void => {
    const where = at.row !== undefined ? `${at.file} row ${at.row}` : at.file
    const first = seen.get(key)
    if (first !== undefined) throw invalidLog(at, `the file '${path}' is added twice in one checkpoint (also at ${first}); a checkpoint adds each file once`)
    seen.set(key, where)
  }
  for (const c of collected.chunks) {
    for (const a of c.adds ?? []) {
      if (hashes.has(fileKeyHash(a.path, a.deletionVector ?? null))) visit(fileActionKey(a.path, a.deletionVector), { file: c.file }, a.path)
    }
    const cols = c.cols
    if (!cols) continue
    for (let i = 0; i < cols.length; i++) {
      if (!isValidRow(cols.data, i)) continue
      const path = cols.pathOf(i)
      const dv = cols.deletionVectorOf(i)
      const canonical = canonicalPath(path)
      if (hashes.has(fileKeyHash(path, dv, undefined, 0, 0, canonical))) visit(canonicalFileKey(canonical, dv), { file: c.file, row: cols.firstRow + i }, canonical)
    }
  }
}

/**
 * One decoded batch of a checkpoint file, column by column: its adds to the sink, its other
 * actions to `part`; gives the row after the batch. Each row holds one action, so each action column contributes its non-null rows. The adds stay in their Arrow chunks until replay
 * builds them; the few other actions go through the one validator, row by row.
 */
async function splitColumns(table: Table, part: Part, firstRow: number, sink: AddSink | undefined, index: number, deferred?: DeferredStats): Promise<number> {
  const at: LogLocation = { file: part.file, row: 0 }
  for (const batch of table.batches) {
    for (let c = 0; c < batch.schema.fields.length; c++) {
      const name = batch.schema.fields[c]!.name
      const data = batch.data.children[c]!
      if (data.nullCount === data.length) continue
      if (name === 'add') await sink?.columns(new AddColumns(data as Data<Struct>, part.file, firstRow, deferred), index)
      else appendActions(name, data, at, firstRow, part.others)
    }
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
