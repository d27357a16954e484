import { DataType, Type, type Data, type Map_, type Struct } from 'apache-arrow'
import { canonicalFileKey, canonicalPath, parseDeletionVector, plainAdd, type AddAction, type DeletionVectorDescriptor } from '../model/actions.js'
import { FieldReader } from '../model/action-fields.js'
import type { LogLocation } from '../model/log-location.js'
import { plainReader } from '../arrow/index.js'
import { isValidRow, nullsOf, testBit } from '../arrow/bitmap.js'
import { fileKeyHash, type FileKeyHashes } from './duplicates.js'

type Read = (i: number) => unknown
type Text = (i: number) => string | null

/** One shared, frozen object for the (common) unpartitioned add: no object per file. */
const NO_PARTITION_VALUES: Record<string, string | null> = Object.freeze({})
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * The add actions of one chunk of a checkpoint's `add` column, appended to `out` in row order,
 * leaving out those whose file key is in `skip`; each row's key hash goes to `keys` (skipped
 * rows too), so that the checkpoint reader can find a file added twice. A checkpoint can hold
 * millions of adds: each field is read straight from its column, with no intermediate row
 * object, and each action is built with all its fields at once. The checks are those of the one
 * validator (`parseAction`), through the same field reader, on columns where the column's type
 * settles them. `file` and `firstRow` (of the chunk in the file) name the row in errors.
 */
export function appendCheckpointAdds(
  data: Data<Struct>, file: string, out: AddAction[], skip: ReadonlySet<string> = new Set(), keys?: FileKeyHashes, firstRow = 0,
): void {
  const at: LogLocation = { file, row: firstRow }
  const f = new FieldReader(at)
  const columns = new AddColumns(data, f)
  const { path, size, modificationTime, dataChange, stats, statsParsed, tags, deletionVector, baseRowId, defaultRowCommitVersion, clusteringProvider } = columns
  const partitionValues = partitionValuesColumn(columns.child('partitionValues'), f)
  const valid = nullsOf(data)
  for (let i = 0; i < data.length; i++) {
    if (valid !== undefined && !testBit(valid, data.offset + i)) continue
    at.row = firstRow + i
    const p = f.string(path(i), 'add', 'path', true)
    const dv = parseDeletionVector(deletionVector(i), f, 'add')
    const canonical = canonicalPath(p)
    keys?.add(columns.keyHash(p, canonical, dv, i))
    // Checked while the path is fresh: a second pass over a million actions costs more.
    if (skip.size > 0 && skip.has(canonicalFileKey(canonical, dv))) continue
    const cp = clusteringProvider(i)
    out.push(new CheckpointAdd(
      p,
      partitionValues(i),
      f.long(size(i), 'add', 'size', 0),
      f.long(modificationTime(i), 'add', 'modificationTime'),
      f.boolean(dataChange(i), 'add', 'dataChange'),
      stats,
      i,
      f.optionalObject(statsParsed(i), 'add', 'stats_parsed'),
      tags(i),
      dv,
      f.optionalLong(baseRowId(i), 'add', 'baseRowId', 0),
      f.optionalLong(defaultRowCommitVersion(i), 'add', 'defaultRowCommitVersion', 0),
      cp === null ? null : f.string(cp, 'add', 'clusteringProvider'),
    ))
  }
}

/**
 * Call `visit` with the file key of every add of the chunk whose key hash is in `hashes`: the
 * second, rare pass that tells two keys sharing a hash from one key added twice.
 */
export function visitCheckpointAddKeys(
  data: Data<Struct>, file: string, firstRow: number, hashes: ReadonlySet<number>, visit: (key: string, row: number) => void,
): void {
  const columns = new AddColumns(data, new FieldReader({ file }))
  const valid = nullsOf(data)
  for (let i = 0; i < data.length; i++) {
    if (valid !== undefined && !testBit(valid, data.offset + i)) continue
    const p = columns.path(i) as string
    const dv = parseDeletionVector(columns.deletionVector(i), columns.f, 'add')
    const canonical = canonicalPath(p)
    if (hashes.has(columns.keyHash(p, canonical, dv, i))) visit(canonicalFileKey(canonical, dv), firstRow + i)
  }
}

/** The readers of the fields of an `add` struct column, checked where the column type settles it. */
class AddColumns {
  readonly path: Read
  readonly size: Read
  readonly modificationTime: Read
  readonly dataChange: Read
  readonly stats: Text | undefined
  readonly statsParsed: Read
  readonly tags: (i: number) => Record<string, string | null> | null
  readonly deletionVector: Read
  readonly baseRowId: Read
  readonly defaultRowCommitVersion: Read
  readonly clusteringProvider: Read
  private readonly names: string[]
  private readonly pathBytes: Uint8Array | undefined
  private readonly pathOffsets: Int32Array | BigInt64Array | undefined

  constructor(private readonly data: Data<Struct>, readonly f: FieldReader) {
    this.names = data.type.children.map((c) => c.name)
    this.path = this.field('path')
    this.size = this.field('size')
    this.modificationTime = this.field('modificationTime')
    this.dataChange = this.field('dataChange')
    this.stats = textColumn(this.child('stats'), f)
    const statsParsed = this.child('stats_parsed')
    if (statsParsed && !DataType.isStruct(statsParsed.type) && !DataType.isNull(statsParsed.type)) f.fail('add', 'stats_parsed', 'a struct column', String(statsParsed.type))
    this.statsParsed = this.field('stats_parsed')
    this.tags = tagsColumn(this.child('tags'), f)
    this.deletionVector = this.field('deletionVector')
    this.baseRowId = this.field('baseRowId')
    this.defaultRowCommitVersion = this.field('defaultRowCommitVersion')
    this.clusteringProvider = this.field('clusteringProvider')
    const path = this.child('path')
    if (path && (DataType.isUtf8(path.type) || DataType.isLargeUtf8(path.type))) {
      this.pathBytes = path.values as Uint8Array
      this.pathOffsets = path.valueOffsets as Int32Array | BigInt64Array
    }
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

  /** The key hash of row `i` (path `p`), hashing the path's bytes as decoded from the column. */
  keyHash(p: string, canonical: string, dv: DeletionVectorDescriptor | null, i: number): number {
    const offsets = this.pathOffsets
    if (!offsets) return fileKeyHash(p, dv, undefined, 0, 0, canonical)
    return fileKeyHash(p, dv, this.pathBytes, Number(offsets[i]!), Number(offsets[i + 1]!), canonical)
  }
}

/**
 * An add read from a checkpoint. Its stats text, most of a checkpoint's bytes, stays in the
 * decoded column until first read: opening a table of a million files then decodes none of it,
 * and a scan decodes only what skipping reads. `toJSON` gives the plain action; a structured
 * clone (a worker message) would drop `stats`, so the worker API sends {@link plainAdd} copies.
 */
class CheckpointAdd implements AddAction {
  readonly kind = 'add'
  #stats: Text | undefined
  #row: number
  #own: string | null = null

  constructor(
    public path: string,
    public partitionValues: Record<string, string | null>,
    public size: number,
    public modificationTime: number,
    public dataChange: boolean,
    stats: Text | undefined,
    row: number,
    public statsParsed: Record<string, unknown> | null,
    public tags: Record<string, string | null> | null,
    public deletionVector: DeletionVectorDescriptor | null,
    public baseRowId: number | null,
    public defaultRowCommitVersion: number | null,
    public clusteringProvider: string | null,
  ) {
    this.#stats = stats
    this.#row = row
  }

  get stats(): string | null {
    return this.#stats ? this.#stats(this.#row) : this.#own
  }

  set stats(value: string | null) {
    this.#stats = undefined
    this.#own = value
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
    return decoder.decode(bytes.subarray(Number(offsets[i]!), Number(offsets[i + 1]!)))
  }
}

/** Whether a column is a map with string keys and string values (each row then needs no check). */
function isStringMap(data: Data): boolean {
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
    if (offsets instanceof Int32Array && offsets[i] === offsets[i + 1] && isValidRow(map, i)) return NO_PARTITION_VALUES
    const v = read(i)
    return strings && v !== null ? (v as Record<string, string | null>) : f.stringMap(v, 'add', 'partitionValues')
  }
}
