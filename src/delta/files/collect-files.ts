import { fileActionKey, type AddAction } from '../model/actions.js'
import type { Data, Struct } from 'apache-arrow'
import { compactStruct } from '../arrow/copy-data.js'
import { takeData } from '../arrow/take.js'
import { FileKeyHashes, fileKeyHash, fileKeyStringHash } from './file-keys.js'
import { AddColumns } from './add-columns.js'
import type { FileRun } from './active-files.js'
import { keepCheckpointRows } from './keep-rows.js'

/**
 * Where a checkpoint reader hands the adds it decodes, part by part (parts are the checkpoint's
 * files, then its sidecars, numbered in that order), as they are decoded: the reader keeps none.
 */
export interface AddSink {
  /** A decoded chunk of a Parquet part's `add` column; the batch it views may go once this settles. */
  columns(cols: AddColumns, part: number): Promise<void>
  /** The adds of a JSON part. */
  actions(adds: readonly AddAction[], file: string, part: number): Promise<void>
}

/** Which files a collector keeps, judged from their partition values and stats. */
export interface FileFilter {
  /** The rows of `cols` among `rows` that may match. */
  rows(cols: AddColumns, rows: Int32Array): Int32Array
  /** Whether an add may match. */
  action(add: AddAction): boolean
}

/** What a collector gathered. */
export interface CollectedFiles {
  /** The live files that passed the filter, as runs in checkpoint order (none when counting). */
  runs: FileRun[]
  /** How many live files passed the filter. */
  count: number
  /** Hashes of file keys met more than once: a file may be added twice (see `FileKeyHashes`). */
  repeated: Set<number> | undefined
  /** The chunks seen, all rows kept, for the second look at repeated keys; only when keeping every file. */
  chunks: { file: string; cols?: AddColumns; adds?: readonly AddAction[] }[] | undefined
}

/**
 * Gathers the live files of a checkpoint as its chunks are decoded: each chunk waits for the
 * keys the newer commits decided, its live rows are found without making objects
 * (`keepCheckpointRows`), and what is kept is copied out of the decoded batch, so the batch can
 * go. With a filter only the files that may match are kept (memory follows the query), and when
 * counting nothing is kept at all.
 */
export class FileCollector implements AddSink {
  readonly #decided: Promise<ReadonlySet<string>>
  readonly #filter: FileFilter | undefined
  readonly #countOnly: boolean
  readonly #keys = new FileKeyHashes(1 << 16)
  readonly #parts: FileRun[][] = []
  readonly #chunks: { part: number; file: string; cols?: AddColumns; adds?: readonly AddAction[] }[] = []
  #count = 0
  #decidedHashes: Set<number> | undefined

  constructor(decided: Promise<ReadonlySet<string>>, opts: { filter?: FileFilter; countOnly?: boolean } = {}) {
    this.#decided = decided
    this.#filter = opts.filter
    this.#countOnly = opts.countOnly === true
  }

  async columns(cols: AddColumns, part: number): Promise<void> {
    const decided = await this.#decided
    this.#decidedHashes ??= new Set([...decided].map(fileKeyStringHash))
    let rows = keepCheckpointRows(cols, { keys: decided, hashes: this.#decidedHashes }, this.#keys, !this.#countOnly)
    if (this.#filter) rows = this.#filter.rows(cols, rows)
    this.#count += rows.length
    if (this.#countOnly) return
    if (!this.#filter) {
      // Every file is kept: copy the chunk whole (a plain copy), keeping its rows as they are.
      const own = cols.withData(compactStruct(cols.data))
      this.#chunks.push({ part, file: cols.file, cols: own })
      this.#run(part, { cols: own, rows })
    } else if (rows.length > 0) {
      const taken = compactStruct(takeData(cols.data, rows) as Data<Struct>)
      this.#run(part, { cols: new AddColumns(taken, cols.file, cols.firstRow), rows: Int32Array.from({ length: rows.length }, (_, i) => i) })
    }
  }

  async actions(adds: readonly AddAction[], file: string, part: number): Promise<void> {
    const decided = await this.#decided
    const kept: AddAction[] = []
    for (const a of adds) {
      this.#keys.add(fileKeyHash(a.path, a.deletionVector ?? null))
      if (decided.size > 0 && decided.has(fileActionKey(a.path, a.deletionVector))) continue
      if (this.#filter && !this.#filter.action(a)) continue
      kept.push(a)
    }
    this.#count += kept.length
    if (this.#countOnly) return
    if (!this.#filter) this.#chunks.push({ part, file, adds })
    this.#run(part, { adds: kept })
  }

  #run(part: number, run: FileRun): void {
    ;(this.#parts[part] ??= []).push(run)
  }

  /** What was gathered, once every chunk has been handed in. */
  finish(): CollectedFiles {
    const runs: FileRun[] = []
    for (const p of this.#parts) if (p) runs.push(...p)
    const chunks = this.#filter || this.#countOnly ? undefined : [...this.#chunks].sort((a, b) => a.part - b.part)
    return { runs, count: this.#count, repeated: this.#keys.repeatedHashes(), chunks }
  }
}
