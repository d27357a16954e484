import type { Schema, Table } from 'apache-arrow'
import type { DeletionVectorDescriptor, ProtocolAction } from '../delta/model/actions.js'
import { toArrowSchema } from '../delta/arrow/index.js'
import { readChanges, type ChangesOptions } from '../delta/scan/change-data.js'
import type { Engine } from '../delta/engine/engine.js'
import { DeltaError, isDeltaError } from '../delta/engine/errors.js'
import { readHistory, type CommitEntry } from '../delta/log/history.js'
import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import { planScan, type ScanOptions } from '../delta/scan/plan.js'
import { executeScan } from '../delta/scan/read.js'
import type { StructType } from '../delta/model/schema.js'
import { loadSnapshot, type Snapshot } from '../delta/log/snapshot.js'
import type { Storage } from '../delta/engine/storage.js'
import { versionAtTimestamp } from '../delta/log/time-travel.js'
import { resolveEngine } from './resolve-engine.js'
import { addConstraints, dropConstraint } from '../delta/ops/alter.js'
import { deleteRows, type DeleteOptions, type DeleteResult } from '../delta/ops/delete.js'

/** Where and how to open a table. */
export interface OpenOptions {
  /** Open this version instead of the latest. */
  version?: number
  /** Open the version the table had at this time (Date, ISO string or ms since the epoch). */
  timestamp?: Date | string | number
  /** The storage holding the table; by default resolved from the URI. */
  storage?: Storage
  /** The Parquet codec; by default parquet-wasm. */
  parquet?: ParquetCodec
}

/** Table-level metadata, as delta-rs's `DeltaTable.metadata()` gives it. */
export interface TableMetadata {
  id: string
  name: string | null
  description: string | null
  partitionColumns: string[]
  configuration: Record<string, string>
  createdTime: number | null
}

/** An active data file of the table. */
export interface AddFileInfo {
  /** The path as written in the log (relative and URL-encoded, or an absolute URI). */
  path: string
  size: number
  modificationTime: number
  dataChange: boolean
  partitionValues: Record<string, string | null>
  /** Statistics as the writer stored them (JSON), if any. */
  stats: string | null
  deletionVector: DeletionVectorDescriptor | null
}

const engines = new WeakMap<DeltaTable, Engine>()

/** The engine behind a table object, for the write functions of this library. @internal */
export function engineOf(table: DeltaTable): Engine {
  return engines.get(table)!
}

/** Options of `toArrow`. */
export interface ToArrowOptions extends ScanOptions {
  /** Cancels the read between files. */
  signal?: AbortSignal
}

/**
 * A Delta table at one version. Open it with `DeltaTable.open(uri)`; read it with `toArrow()`;
 * move it in time with `loadAsVersion()`.
 */
export class DeltaTable {
  /** The URI or path the table was opened from. */
  readonly uri: string
  readonly #engine: Engine
  #snapshot: Snapshot

  private constructor(uri: string, engine: Engine, snapshot: Snapshot) {
    this.uri = uri
    this.#engine = engine
    this.#snapshot = snapshot
    engines.set(this, engine)
  }

  /**
   * Open a table. `uri` is a local folder (Node), or any label when `opts.storage` is given.
   * Refuses tables that use reader features this library cannot read, naming them.
   */
  static async open(uri: string, opts: OpenOptions = {}): Promise<DeltaTable> {
    const engine = await resolveEngine(uri, opts)
    try {
      const version = opts.timestamp !== undefined
        ? await versionAtTimestamp(engine, toMillis(opts.timestamp))
        : opts.version
      return new DeltaTable(uri, engine, await loadSnapshot(engine, version))
    } catch (e) {
      // Name the table the user asked for: the core only knows paths inside its storage.
      if (isDeltaError(e, 'NotFound')) throw new DeltaError('NotFound', `${uri}: ${e.message}`, { cause: e })
      throw e
    }
  }

  /** Create an empty table with a schema and open it (see `CreateTableOptions`). */
  static async create(uri: string, opts: import('./write-deltalake.js').CreateTableOptions): Promise<DeltaTable> {
    const { createTable } = await import('./write-deltalake.js')
    return createTable(uri, opts)
  }

  /**
   * The snapshot a table object reads, for the worker API, which plans scans that several
   * workers share. @internal
   */
  static snapshotOf(table: DeltaTable): Snapshot {
    return table.#snapshot
  }

  /** The version this object reads. */
  get version(): number {
    return this.#snapshot.version
  }

  /** The logical schema. */
  schema(): StructType {
    return this.#snapshot.schema
  }

  /** The schema as Arrow gives it in `toArrow()`. */
  arrowSchema(): Schema {
    return toArrowSchema(this.#snapshot.schema)
  }

  /** Id, name, description, partition columns and properties. */
  metadata(): TableMetadata {
    const m = this.#snapshot.metadata
    return {
      id: m.id,
      name: m.name ?? null,
      description: m.description ?? null,
      partitionColumns: [...m.partitionColumns],
      configuration: { ...m.configuration },
      createdTime: m.createdTime ?? null,
    }
  }

  /** Reader and writer versions and features. */
  protocol(): Omit<ProtocolAction, 'kind'> {
    const { kind: _, ...p } = this.#snapshot.protocol
    return p
  }

  /** The active data files. */
  async files(): Promise<AddFileInfo[]> {
    return this.#snapshot.files.map((a) => ({
      path: a.path,
      size: a.size,
      modificationTime: a.modificationTime,
      dataChange: a.dataChange,
      partitionValues: { ...a.partitionValues },
      stats: a.stats ?? null,
      deletionVector: a.deletionVector ?? null,
    }))
  }

  /** The latest committed version of each application id (idempotent writers). */
  appTransactions(): Record<string, number> {
    return Object.fromEntries([...this.#snapshot.txns].map(([id, t]) => [id, t.version]))
  }

  /** The checkpoint this version was read from, if any. */
  checkpointVersion(): number | undefined {
    return this.#snapshot.segment.checkpoint?.version
  }

  /** The commits still in the log, newest first, at most `limit`. */
  async history(limit?: number): Promise<CommitEntry[]> {
    return readHistory(this.#engine, this.#snapshot.metadata, limit)
  }

  /** Read the table (or some columns, or the rows a filter keeps) into one Arrow table. */
  async toArrow(opts: ToArrowOptions = {}): Promise<Table> {
    const plan = planScan(this.#snapshot, opts)
    return executeScan(this.#engine, this.#snapshot, plan, { signal: opts.signal })
  }

  /** Move this object to another version, or to the version at a time. */
  async loadAsVersion(version: number | Date | string): Promise<void> {
    const v = typeof version === 'number' ? version : await versionAtTimestamp(this.#engine, toMillis(version))
    this.#snapshot = await loadSnapshot(this.#engine, v)
  }

  /** Move this object to the latest version. */
  async update(): Promise<void> {
    this.#snapshot = await loadSnapshot(this.#engine)
  }

  /**
   * Delete the rows matching a predicate (every row without one) and move to the new version.
   * Files are rewritten without the deleted rows (copy-on-write).
   */
  async delete(predicate?: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const result = await deleteRows(this.#engine, predicate, opts)
    await this.update()
    return result
  }

  /**
   * Add CHECK constraints (`{ name: 'expression' }`); existing rows must satisfy them, and every
   * later write is checked against them.
   */
  async addConstraint(constraints: Record<string, string>): Promise<void> {
    await addConstraints(this.#engine, constraints)
    await this.update()
  }

  /** Drop a CHECK constraint by name. */
  async dropConstraint(name: string, opts: { raiseIfNotExists?: boolean } = {}): Promise<void> {
    await dropConstraint(this.#engine, name, opts)
    await this.update()
  }

  /** The change data feed between two versions (inclusive), with `_change_type`, `_commit_version`, `_commit_timestamp`. */
  async changes(opts: ChangesOptions): Promise<Table> {
    return readChanges(this.#engine, opts)
  }
}

function toMillis(t: Date | string | number): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : t
  if (!Number.isFinite(ms)) throw new DeltaError('InvalidArgument', `'${String(t)}' is not a valid timestamp`)
  return ms
}
