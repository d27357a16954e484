import { DataType, type Data, type Struct } from 'apache-arrow'
import {
  fileActionKey, invalidLog, optionalNumber, parseDeletionVector, plainAdd, stringMap, type AddAction, type DeletionVectorDescriptor,
} from '../model/actions.js'
import { plainReader } from '../arrow/index.js'
import { isValidRow, nullsOf, testBit } from '../arrow/bitmap.js'

type Read = (i: number) => unknown
type Text = (i: number) => string | null

/** One shared, frozen object for the (common) unpartitioned add: no object per file. */
const NO_PARTITION_VALUES: Record<string, string | null> = Object.freeze({})
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * The add actions of one chunk of a checkpoint's `add` column, appended to `out` in row order,
 * leaving out those whose file key is in `skip`. A checkpoint can hold millions of adds: each
 * field is read straight from its column, with no intermediate row object, and each action is
 * built with all its fields at once. The checks are those of parsing an add from JSON. `file`
 * names the checkpoint in errors.
 */
export function appendCheckpointAdds(data: Data<Struct>, file: string, out: AddAction[], skip: ReadonlySet<string> = new Set()): void {
  const names = data.type.children.map((f) => f.name)
  const field = (name: string): Read => {
    const c = names.indexOf(name)
    return c < 0 ? () => null : plainReader(data.children[c]!)
  }
  const path = field('path')
  const partitionValues = partitionValuesColumn(data, names.indexOf('partitionValues'), file)
  const size = field('size')
  const modificationTime = field('modificationTime')
  const dataChange = field('dataChange')
  const stats = textColumn(data, names.indexOf('stats'))
  const statsParsed = field('stats_parsed')
  const tags = field('tags')
  const deletionVector = field('deletionVector')
  const baseRowId = field('baseRowId')
  const defaultRowCommitVersion = field('defaultRowCommitVersion')
  const clusteringProvider = field('clusteringProvider')
  const valid = nullsOf(data)
  for (let i = 0; i < data.length; i++) {
    if (valid !== undefined && !testBit(valid, data.offset + i)) continue
    const p = path(i)
    if (typeof p !== 'string') throw invalidLog(file, "field 'path' is missing or not a string")
    const s = optionalNumber(size(i))
    if (s === null) throw invalidLog(file, "field 'size' is missing or not a number")
    const dv = parseDeletionVector(deletionVector(i), file)
    // Checked while the path is fresh: a second pass over a million actions costs more.
    if (skip.size > 0 && skip.has(fileActionKey(p, dv))) continue
    const sp = statsParsed(i)
    const cp = clusteringProvider(i)
    out.push(new CheckpointAdd(
      p,
      partitionValues(i) ?? NO_PARTITION_VALUES,
      s,
      optionalNumber(modificationTime(i)) ?? 0,
      dataChange(i) !== false,
      stats,
      i,
      sp !== null && typeof sp === 'object' ? (sp as Record<string, unknown>) : null,
      (tags(i) as AddAction['tags']) ?? null,
      dv,
      optionalNumber(baseRowId(i)),
      optionalNumber(defaultRowCommitVersion(i)),
      typeof cp === 'string' ? cp : null,
    ))
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
 * Random access to a string child of the struct (null rows and a missing field read as null).
 * Each value is decoded alone, when asked for.
 */
function textColumn(data: Data<Struct>, c: number): Text | undefined {
  const child = c < 0 ? undefined : data.children[c]
  if (!child || child.nullCount === child.length) return undefined
  if (!DataType.isUtf8(child.type) && !DataType.isLargeUtf8(child.type)) {
    const read = plainReader(child)
    return (i) => {
      const v = read(i)
      return typeof v === 'string' ? v : null
    }
  }
  const offsets = child.valueOffsets as Int32Array | BigInt64Array
  const bytes = child.values as Uint8Array
  const bits = nullsOf(child)
  return (i) => {
    if (bits !== undefined && !testBit(bits, child.offset + i)) return null
    return decoder.decode(bytes.subarray(Number(offsets[i]!), Number(offsets[i + 1]!)))
  }
}

/**
 * The partition values of each row as the log's JSON has them (string values), or null for a
 * null map; the empty maps of an unpartitioned table all share one frozen object.
 */
function partitionValuesColumn(data: Data<Struct>, c: number, file: string): (i: number) => Record<string, string | null> | null {
  const map = c < 0 ? undefined : data.children[c]
  if (!map) return () => null
  const read = plainReader(map)
  const offsets = map.valueOffsets as Int32Array | undefined
  const strings = map.children[0]?.children[1] !== undefined && DataType.isUtf8(map.children[0].children[1].type)
  return (i) => {
    if (offsets instanceof Int32Array && offsets[i] === offsets[i + 1] && isValidRow(map, i)) return NO_PARTITION_VALUES
    const v = read(i)
    return strings && v !== null ? (v as Record<string, string | null>) : stringMap(v, 'add.partitionValues', file)
  }
}
