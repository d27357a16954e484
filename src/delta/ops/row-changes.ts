import { Table, Utf8, vectorFromArray } from 'apache-arrow'
import { plainAdd, type AddAction, type DeletionVectorDescriptor } from '../model/actions.js'
import { filterTable } from '../arrow/index.js'
import { mapAhead } from '../engine/concurrency.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import {
  deletionVectorPath, encodeRoaringBitmapArray, inlineDeletionVector, readDeletionVector, RowIndexSet, writeDeletionVectors,
} from '../dv/deletion-vector.js'
import { booleanProperty, CHANGE_DATA_FEED_KEY, statsSettings } from '../features/table-config.js'
import type { Snapshot } from '../log/snapshot.js'
import type { StructType } from '../model/schema.js'
import { planScan } from '../scan/plan.js'
import { FILE_READ_CONCURRENCY, readDataFile } from '../scan/read.js'
import type { DataWriteOptions } from '../txn/options.js'
import { DataFileWriter, discardFiles, type DataFileOptions } from '../write/data-files.js'
import { castToTableSchema } from '../write/schema-merge.js'
import { INLINE_DV_MAX_BYTES, looseStats, usesDeletionVectors } from './deletion-vectors.js'

/** The change data feed's kinds of row change. */
export type ChangeType = 'insert' | 'delete' | 'update_preimage' | 'update_postimage'

/** What an operation decides about the live rows of one file. */
export interface FileDecision {
  /** 1 at each live row (in read order) that leaves the file: deleted, or replaced by a row of `replacements`. */
  gone: Uint8Array
  /** Rows that take the place of gone rows (updated rows), in the table's logical schema. */
  replacements?: Table[]
  /** Change data rows for the change data feed, with `_change_type` (see {@link withChangeType}). */
  changes?: Table[]
}

/** Decides, from a file's live rows, which leave it and what replaces them. */
export type DecideRows = (rows: Table, file: AddAction) => FileDecision | Promise<FileDecision>

/** What changing the rows of some files wrote, ready to commit. */
export interface RowChanges {
  /** Every file to remove: rewritten, emptied, or re-added with a new deletion vector. */
  removed: AddAction[]
  /** Every file to add: new data files, and files re-added with their new deletion vector. */
  added: AddAction[]
  /** Change data files (`_change_data/`), as add actions to turn into `cdc` actions. */
  changeFiles: AddAction[]
  /** New data files among `added` (not re-adds with a deletion vector). */
  filesWritten: number
  /** Files among `removed` that are not added again (emptied or rewritten). */
  filesRemoved: number
  /** Files whose rows were read. */
  filesScanned: number
  /** Rows that left their files (deleted or replaced). */
  rowsGone: number
  /** Untouched rows written again because their file was rewritten (copy-on-write). */
  rowsCopied: number
  /** Spark's deletion vector counts: vectors on files that had none, dropped, and replaced. */
  deletionVectors: { added: number; removed: number; updated: number }
  /** Milliseconds reading and deciding, and writing. */
  scanTimeMs: number
  rewriteTimeMs: number
  /** Every file written (data, change data and deletion vectors), for clean-up when the commit does not land. */
  paths: string[]
}

/**
 * Changes the rows of a table's files the one way every row-level operation (delete, update,
 * merge, replaceWhere) does, so that they share its rules:
 * - with deletion vectors in use (see `usesDeletionVectors`), rows that leave a file are marked
 *   in its deletion vector (joined with the one it has), the file is removed and added again
 *   with the new vector, and no data file is rewritten; a file left with no row is removed;
 * - otherwise (copy-on-write), a file that loses rows is removed and its other rows written
 *   again, unless it loses them all;
 * - replacement and inserted rows go to new data files, with the table's layout and stats
 *   settings; change data rows to `_change_data/` when the table records changes.
 * Nothing is committed here: `finish` hands over the actions, and `discard` deletes what was written.
 */
export class RowRewriter {
  readonly deletionVectors: boolean
  /** Whether the table records the change data feed. */
  readonly changeDataFeed: boolean
  readonly #engine: Engine
  readonly #snapshot: Snapshot
  readonly #schema: StructType
  readonly #data: DataFileWriter
  readonly #changes: DataFileWriter | undefined
  readonly #pending: { file: AddAction; deleted: RowIndexSet }[] = []
  readonly #removedWhole: AddAction[] = []
  readonly #rewritten: AddAction[] = []
  #filesScanned = 0
  #rowsGone = 0
  #rowsCopied = 0
  #scanTimeMs = 0
  #rewriteTimeMs = 0
  #dvPaths: string[] = []

  constructor(engine: Engine, snapshot: Snapshot, opts: DataWriteOptions, schema: StructType = snapshot.schema) {
    this.#engine = engine
    this.#snapshot = snapshot
    this.#schema = schema
    this.deletionVectors = usesDeletionVectors(snapshot)
    this.changeDataFeed = booleanProperty(snapshot.metadata.configuration, CHANGE_DATA_FEED_KEY)
    this.#data = new DataFileWriter(engine, writerOptions(snapshot, schema, opts))
    this.#changes = this.changeDataFeed ? new DataFileWriter(engine, { ...writerOptions(snapshot, withChangeColumn(schema), opts), changeData: true }) : undefined
  }

  /**
   * Read each candidate file (a few ahead) and apply what `decide` says about its live rows.
   * Files are handed to `decide` in the order given. `columns` narrows what is read to what
   * `decide` needs; only with deletion vectors and no change data, where no row is written
   * again (else every column is read).
   */
  async apply(candidates: readonly AddAction[], decide: DecideRows, columns?: readonly string[]): Promise<void> {
    const narrow = columns && this.deletionVectors && !this.changeDataFeed ? [...columns] : undefined
    const started = performance.now()
    let writing = 0
    const files = mapAhead([...candidates], FILE_READ_CONCURRENCY, async (file) => ({ file, ...(await this.#read(file, narrow)) }))
    for await (const { file, rows, before } of files) {
      this.#filesScanned++
      const keep = before.size > 0 ? before.keepMask(rows.numRows) : undefined
      const kept = keep ? filterTable(rows, keep) : rows
      // A merge that adds columns sees (and rewrites) old rows with them, as nulls.
      const live = this.#schema !== this.#snapshot.schema ? castToTableSchema(kept, this.#schema) : kept
      const decision = await decide(live, file)
      const t = performance.now()
      await this.#applyDecision(file, rows.numRows, keep, live, decision)
      writing += performance.now() - t
    }
    this.#scanTimeMs += performance.now() - started - writing
    this.#rewriteTimeMs += writing
  }

  /**
   * `apply` (reading `columns` when it may), then anything `more` writes (a merge's inserts),
   * then `finish`; on any failure,
   * what was written is discarded before the error goes on.
   */
  async rewrite(candidates: readonly AddAction[], decide: DecideRows, opts: { more?: () => Promise<void>; columns?: readonly string[] } = {}): Promise<RowChanges> {
    const { more, columns } = opts
    try {
      await this.apply(candidates, decide, columns)
      await more?.()
      return await this.finish()
    } catch (e) {
      await this.discard()
      throw e
    }
  }

  /** Write rows that replace no row of a file (a merge's inserts) to new data files. */
  async insert(rows: Table): Promise<void> {
    const t = performance.now()
    await this.#data.write(rows)
    this.#rewriteTimeMs += performance.now() - t
  }

  /** Record change data rows (with `_change_type`) that no file decision carries. */
  async recordChanges(rows: Table): Promise<void> {
    if (this.#changes && rows.numRows > 0) await this.#changes.write(rows)
  }

  /**
   * Finish writing and hand over the actions. Where the commit only removes whole files, or
   * only adds files, no change data file is kept: readers derive the changes from the adds and
   * removes, as PROTOCOL.md allows.
   */
  async finish(): Promise<RowChanges> {
    const t = performance.now()
    const written = await this.#data.finish()
    const replaced = await this.#writeVectors()
    let changeFiles = this.#changes ? await this.#changes.finish() : []
    const removed = [...this.#removedWhole, ...this.#rewritten, ...replaced.map((r) => r.old)]
    const added = [...written, ...replaced.map((r) => r.add)]
    if (changeFiles.length > 0 && (removed.length === 0 || added.length === 0)) {
      await discardFiles(this.#engine, this.#changes!.writtenPaths)
      changeFiles = []
    }
    this.#rewriteTimeMs += performance.now() - t
    const hadVector = (f: AddAction) => f.deletionVector !== null && f.deletionVector !== undefined
    const updated = replaced.filter((r) => hadVector(r.old)).length
    return {
      removed, added, changeFiles,
      filesWritten: written.length,
      filesRemoved: this.#removedWhole.length + this.#rewritten.length,
      filesScanned: this.#filesScanned,
      rowsGone: this.#rowsGone,
      rowsCopied: this.#rowsCopied,
      deletionVectors: { added: replaced.length - updated, removed: removed.filter(hadVector).length - updated, updated },
      scanTimeMs: Math.round(this.#scanTimeMs),
      rewriteTimeMs: Math.round(this.#rewriteTimeMs),
      paths: this.#writtenPaths(changeFiles.length > 0),
    }
  }

  /** Delete every file written so far (after a failure, or a commit that did not land). */
  async discard(): Promise<void> {
    await discardFiles(this.#engine, this.#writtenPaths(true))
  }

  #writtenPaths(withChanges: boolean): string[] {
    return [...this.#data.writtenPaths, ...(withChanges ? this.#changes?.writtenPaths ?? [] : []), ...this.#dvPaths]
  }

  /** Every physical row of a file in file order, and the rows its deletion vector deletes (none copy-on-write: the read drops them). */
  async #read(file: AddAction, columns: string[] | undefined): Promise<{ rows: Table; before: RowIndexSet }> {
    const plan = planScan({ ...this.#snapshot, files: [file] }, columns ? { columns } : {})
    if (!this.deletionVectors) return { rows: new Table(await readDataFile(this.#engine, this.#snapshot, plan, file)), before: RowIndexSet.empty }
    // The vector and the data are fetched together.
    const [before, batches] = await Promise.all([
      file.deletionVector ? readDeletionVector(this.#engine.storage, file.deletionVector, { tableUri: this.#snapshot.tableUri }) : RowIndexSet.empty,
      readDataFile(this.#engine, this.#snapshot, plan, file, { rowMask: (n) => new Uint8Array(n).fill(1) }),
    ])
    return { rows: new Table(batches), before }
  }

  async #applyDecision(file: AddAction, physicalRows: number, keep: Uint8Array | undefined, live: Table, decision: FileDecision): Promise<void> {
    const { gone } = decision
    if (gone.length !== live.numRows) throw new DeltaError('Internal', `a decision about ${live.numRows} rows marks ${gone.length}`)
    let goneCount = 0
    for (let i = 0; i < gone.length; i++) goneCount += gone[i] ? 1 : 0
    for (const c of decision.changes ?? []) await this.recordChanges(c)
    for (const r of decision.replacements ?? []) await this.#data.write(r)
    if (goneCount === 0) return
    this.#rowsGone += goneCount
    if (goneCount === live.numRows) {
      this.#removedWhole.push(file)
      return
    }
    if (!this.deletionVectors) {
      this.#rewritten.push(file)
      this.#rowsCopied += live.numRows - goneCount
      await this.#data.write(filterTable(live, invert(gone)))
      return
    }
    // Live row i is the i-th physical row the old vector keeps.
    const deleted = new Uint8Array(physicalRows)
    for (let p = 0, i = 0; p < physicalRows; p++) {
      if (keep && !keep[p]) deleted[p] = 1
      else if (gone[i++]) deleted[p] = 1
    }
    this.#pending.push({ file, deleted: RowIndexSet.fromMask(deleted) })
  }

  /** The files that keep some rows under a new deletion vector: inline when short, else all in one new DV file. */
  async #writeVectors(): Promise<{ old: AddAction; add: AddAction }[]> {
    const encoded = new Map(this.#pending.map((p) => [p, encodeRoaringBitmapArray(p.deleted)]))
    const short = new Set(this.#pending.filter((p) => encoded.get(p)!.length <= INLINE_DV_MAX_BYTES))
    const inFile = this.#pending.filter((p) => !short.has(p))
    const prefix = randomDvPrefix(this.#snapshot.metadata.configuration)
    const written = await writeDeletionVectors(this.#engine.storage, inFile.map((p) => p.deleted), { encoded: inFile.map((p) => encoded.get(p)!), ...(prefix ? { prefix } : {}) })
    if (written[0]) this.#dvPaths.push(deletionVectorPath(written[0])!)
    const descriptors = new Map<AddAction, DeletionVectorDescriptor>()
    for (const p of short) descriptors.set(p.file, inlineDeletionVector(p.deleted))
    inFile.forEach((p, i) => descriptors.set(p.file, written[i]!))
    return this.#pending.map((p) => ({
      old: p.file,
      add: { ...plainAdd(p.file), deletionVector: descriptors.get(p.file)!, dataChange: true, stats: looseStats(p.file.stats) },
    }))
  }
}

/** The rows with a `_change_type` column of `type`, as the change data feed stores them. */
export function withChangeType(rows: Table, type: ChangeType): Table {
  if (rows.numRows === 0) throw new DeltaError('Internal', 'no rows to record as changes')
  return rows.assign(new Table({ _change_type: vectorFromArray(new Array<string>(rows.numRows).fill(type), new Utf8()) }))
}

/** How the new data (or change data) files are written: the table's layout and stats settings. */
function writerOptions(snapshot: Snapshot, schema: StructType, opts: DataWriteOptions): DataFileOptions {
  return {
    schema, partitionColumns: snapshot.metadata.partitionColumns, columnMapping: snapshot.columnMapping,
    writerProperties: opts.writerProperties, ...statsSettings(snapshot.metadata.configuration),
  }
}

/** The schema of change data files: the table's columns and `_change_type`. */
export function withChangeColumn(schema: StructType): StructType {
  return { type: 'struct', fields: [...schema.fields, { name: '_change_type', type: 'string', nullable: false, metadata: {} }] }
}

/**
 * The random folder a new DV file goes under when the table asks for random file prefixes
 * (`delta.randomizeFilePrefixes`, `delta.randomPrefixLength` characters, 2 by default, as Spark),
 * which spreads the files of object stores that shard by key prefix; none otherwise.
 */
function randomDvPrefix(configuration: Readonly<Record<string, string>>): string | undefined {
  if (configuration['delta.randomizeFilePrefixes'] !== 'true') return undefined
  const length = Number(configuration['delta.randomPrefixLength'] ?? 2)
  const n = Number.isInteger(length) && length > 0 && length <= 32 ? length : 2
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  const bytes = crypto.getRandomValues(new Uint8Array(n))
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('')
}

function invert(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(mask.length)
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] ? 0 : 1
  return out
}
