import { DataType, Type, type Data, type Map_, type Struct } from 'apache-arrow'
import { parseDeletionVector, plainAdd, type AddAction, type DeletionVectorDescriptor } from '../model/actions.js'
import { FieldReader } from '../model/action-fields.js'
import { DeltaError } from '../engine/errors.js'
import type { LogLocation } from '../model/log-location.js'
import { plainReader } from '../arrow/index.js'
import { isValidRow, nullsOf, testBit } from '../arrow/bitmap.js'

type Read = (i: number) => unknown
type Text = (i: number) => string | null

/**
 * Where a chunk's stats columns are, when the checkpoint was read without them: the file (its
 * path and size; the chunk's rows are `firstRow` on). They are decoded on first use (see
 * `loadDeferredStats`): opening a table then costs none of its stats, most of a checkpoint.
 */
export interface DeferredStats {
  file: string
  size: number
}

/** One shared, frozen object for the (common) unpartitioned add: no object per file. */
const NO_PARTITION_VALUES: Record<string, string | null> = Object.freeze({})
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * Random access to the fields of a checkpoint's `add` struct column, straight from its decoded
 * Arrow children: no object per file until one is asked for ({@link AddColumns.add}). Column
 * types are checked once here; {@link checkAddRows} checks the rows a table keeps. `file` and
 * `firstRow` (of the chunk in the file) name a row in errors.
 */
export class AddColumns {
  readonly path: Read
  readonly size: Read
  readonly modificationTime: Read
  readonly dataChange: Read
  #stats: Text | undefined
  #statsParsed: Read
  #deferred: DeferredStats | undefined
  readonly tags: (i: number) => Record<string, string | null> | null
  readonly deletionVector: Read
  readonly baseRowId: Read
  readonly defaultRowCommitVersion: Read
  readonly clusteringProvider: Read
  readonly partitionValues: (i: number) => Record<string, string | null>
  /** The UTF-8 bytes and offsets of the path column, when it is a string column. */
  readonly pathBytes: Uint8Array | undefined
  readonly pathOffsets: Int32Array | BigInt64Array | undefined
  readonly at: LogLocation
  readonly f: FieldReader
  private readonly names: string[]

  constructor(readonly data: Data<Struct>, readonly file: string, readonly firstRow = 0, deferred?: DeferredStats) {
    this.at = { file, row: firstRow }
    this.f = new FieldReader(this.at)
    const f = this.f
    this.names = data.type.children.map((c) => c.name)
    this.path = this.field('path')
    this.size = this.field('size')
    this.modificationTime = this.field('modificationTime')
    this.dataChange = this.field('dataChange')
    this.#deferred = deferred
    this.#stats = undefined
    this.#statsParsed = () => null
    if (!deferred) this.#takeStats(this.child('stats'), this.child('stats_parsed'))
    this.tags = tagsColumn(this.child('tags'), f)
    this.deletionVector = this.field('deletionVector')
    this.baseRowId = this.field('baseRowId')
    this.defaultRowCommitVersion = this.field('defaultRowCommitVersion')
    this.clusteringProvider = this.field('clusteringProvider')
    this.partitionValues = partitionValuesColumn(this.child('partitionValues'), f)
    const path = this.child('path')
    if (path && (DataType.isUtf8(path.type) || DataType.isLargeUtf8(path.type))) {
      this.pathBytes = path.values as Uint8Array
      this.pathOffsets = path.valueOffsets as Int32Array | BigInt64Array
    }
  }

  /** The same rows over other columns (a copy of `data`), stats deferred as they are here. */
  withData(data: Data<Struct>): AddColumns {
    return new AddColumns(data, this.file, this.firstRow, this.#deferred)
  }

  /** Where the stats are still to be read from, when they are. */
  get deferredStats(): DeferredStats | undefined {
    return this.#deferred
  }

  /** Take the stats columns (`stats`, `stats_parsed`; either may be absent), read late. */
  attachStats(stats: Data | undefined, statsParsed: Data | undefined): void {
    this.#takeStats(stats, statsParsed)
    this.#deferred = undefined
  }

  #takeStats(stats: Data | undefined, statsParsed: Data | undefined): void {
    const f = this.f
    this.#stats = textColumn(stats, f)
    if (statsParsed && !DataType.isStruct(statsParsed.type) && !DataType.isNull(statsParsed.type)) f.fail('add', 'stats_parsed', 'a struct column', String(statsParsed.type))
    this.#statsParsed = statsParsed ? plainReader(statsParsed) : () => null
  }

  /** The stats text of row `i`; the stats must have been read (see {@link deferredStats}). */
  statsOf(i: number): string | null {
    this.#checkStats()
    return this.#stats ? this.#stats(i) : null
  }

  /** The struct stats of row `i`; the stats must have been read. */
  statsParsedOf(i: number): Record<string, unknown> | null {
    this.#checkStats()
    return this.locate(i).optionalObject(this.#statsParsed(i), 'add', 'stats_parsed')
  }

  #checkStats(): void {
    if (this.#deferred) {
      throw new DeltaError('Internal', `the statistics of '${this.file}' were not read yet: the table's files must be loaded with their statistics first`)
    }
  }

  /** The number of rows of the chunk (add or not). */
  get length(): number {
    return this.data.length
  }

  /** The child column of a field; undefined when the checkpoint has no such field. */
  child(name: string): Data | undefined {
    const c = this.names.indexOf(name)
    return c < 0 ? undefined : this.data.children[c]
  }

  private field(name: string): Read {
    const child = this.child(name)
    return child ? plainReader(child) : () => null
  }

  /** Point error messages at row `i` of the chunk. */
  locate(i: number): FieldReader {
    this.at.row = this.firstRow + i
    return this.f
  }

  /** The path of row `i`, checked. */
  pathOf(i: number): string {
    return this.locate(i).string(this.path(i), 'add', 'path', true)
  }

  /** The deletion vector of row `i`, checked (null for none). */
  deletionVectorOf(i: number): DeletionVectorDescriptor | null {
    return parseDeletionVector(this.deletionVector(i), this.locate(i), 'add')
  }

  /** The add action of row `i`, built now (its stats text read when first asked for). */
  add(i: number): AddAction {
    const f = this.locate(i)
    const cp = this.clusteringProvider(i)
    return new CheckpointAdd(
      f.string(this.path(i), 'add', 'path', true),
      this.partitionValues(i),
      f.long(this.size(i), 'add', 'size', 0),
      f.long(this.modificationTime(i), 'add', 'modificationTime'),
      f.boolean(this.dataChange(i), 'add', 'dataChange'),
      this,
      i,
      this.tags(i),
      parseDeletionVector(this.deletionVector(i), f, 'add'),
      f.optionalLong(this.baseRowId(i), 'add', 'baseRowId', 0),
      f.optionalLong(this.defaultRowCommitVersion(i), 'add', 'defaultRowCommitVersion', 0),
      cp === null ? null : f.string(cp, 'add', 'clusteringProvider'),
    )
  }
}

/**
 * An add read from a checkpoint. Its stats, most of a checkpoint's bytes, stay in the decoded
 * columns until first read (or in the file, until the table's stats are loaded). `toJSON` gives the plain action; a structured clone (a
 * worker message) would drop `stats`, so the worker API sends {@link plainAdd} copies.
 */
class CheckpointAdd implements AddAction {
  readonly kind = 'add'
  #cols: AddColumns | undefined
  #row: number
  #own: string | null = null
  #ownParsed: Record<string, unknown> | null | undefined

  constructor(
    public path: string,
    public partitionValues: Record<string, string | null>,
    public size: number,
    public modificationTime: number,
    public dataChange: boolean,
    cols: AddColumns,
    row: number,
    public tags: Record<string, string | null> | null,
    public deletionVector: DeletionVectorDescriptor | null,
    public baseRowId: number | null,
    public defaultRowCommitVersion: number | null,
    public clusteringProvider: string | null,
  ) {
    this.#cols = cols
    this.#row = row
  }

  get stats(): string | null {
    return this.#cols ? this.#cols.statsOf(this.#row) : this.#own
  }

  set stats(value: string | null) {
    this.#ownParsed = this.statsParsed
    this.#cols = undefined
    this.#own = value
  }

  get statsParsed(): Record<string, unknown> | null {
    return this.#ownParsed !== undefined ? this.#ownParsed : this.#cols ? this.#cols.statsParsedOf(this.#row) : null
  }

  set statsParsed(value: Record<string, unknown> | null) {
    this.#ownParsed = value
  }

  toJSON(): AddAction {
    return plainAdd(this)
  }
}

/**
 * Random access to the `stats` column, a string column (null rows and a missing column read as
 * null). Each value is decoded alone, when asked for. Any other column type is refused.
 */
function textColumn(child: Data | undefined, f: FieldReader): Text | undefined {
  if (!child || child.nullCount === child.length) return undefined
  if (!DataType.isUtf8(child.type) && !DataType.isLargeUtf8(child.type)) f.fail('add', 'stats', 'a string column', String(child.type))
  const offsets = child.valueOffsets as Int32Array | BigInt64Array
  const bytes = child.values as Uint8Array
  const bits = nullsOf(child)
  return (i) => {
    if (bits !== undefined && !testBit(bits, child.offset + i)) return null
    return decoder.decode(bytes.subarray(Number(offsets[child.offset + i]!), Number(offsets[child.offset + i + 1]!)))
  }
}

/** Whether a column is a map with string keys and string values (each row then needs no check). */
export function isStringMap(data: Data): boolean {
  if (data.type.typeId !== Type.Map) return false
  const entries = (data as Data<Map_>).type.children[0]!.type.children
  return entries[0] !== undefined && DataType.isUtf8(entries[0].type) && entries[1] !== undefined &&
    (DataType.isUtf8(entries[1].type) || DataType.isNull(entries[1].type))
}

/** The `tags` of each row (null for none): a map column of strings, checked once for its type. */
function tagsColumn(child: Data | undefined, f: FieldReader): (i: number) => Record<string, string | null> | null {
  if (!child || child.nullCount === child.length) return () => null
  const read = plainReader(child)
  if (isStringMap(child)) return read as (i: number) => Record<string, string | null> | null
  return (i) => f.optionalStringMap(read(i), 'add', 'tags')
}

/**
 * The partition values of each row as the log's JSON has them (string values); the empty maps
 * of an unpartitioned table all share one frozen object. The protocol requires the map on every
 * add: a missing column or a null row is refused.
 */
function partitionValuesColumn(map: Data | undefined, f: FieldReader): (i: number) => Record<string, string | null> {
  if (!map) return () => f.fail('add', 'partitionValues', 'a map of strings', undefined)
  const read = plainReader(map)
  const offsets = map.valueOffsets as Int32Array | undefined
  const strings = isStringMap(map)
  return (i) => {
    const j = map.offset + i
    if (offsets instanceof Int32Array && offsets[j] === offsets[j + 1] && isValidRow(map, i)) return NO_PARTITION_VALUES
    const v = read(i)
    return strings && v !== null ? (v as Record<string, string | null>) : f.stringMap(v, 'add', 'partitionValues')
  }
}
