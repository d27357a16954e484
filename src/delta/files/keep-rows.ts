import { DataType, type Data } from 'apache-arrow'
import { canonicalFileKey, canonicalPath, type DeletionVectorDescriptor } from '../model/actions.js'
import { isValidRow, nullsOf, testBit } from '../arrow/bitmap.js'
import { fileKeyHash, fileKeyHashOfBytes, type FileKeyHashes } from './file-keys.js'
import { isStringMap, type AddColumns } from './add-columns.js'

/** File keys that newer commits decided, and their hashes (see `fileKeyStringHash`). */
export interface DecidedKeys {
  keys: ReadonlySet<string>
  hashes: ReadonlySet<number>
}

/**
 * The rows of a checkpoint chunk's `add` column that are live files: add rows whose file key
 * newer commits did not decide, checked as the one validator checks adds. Each add row's key
 * hash goes to `keys` (decided rows too), so the checkpoint reader can find a file added twice.
 * No string is made for a row whose path is canonical as written: the key is hashed on the
 * column's bytes, and compared as a string only when its hash is among the decided ones.
 * Without `check` (a count, read from the key columns alone) only the keys are checked.
 */
export function keepCheckpointRows(cols: AddColumns, decided: DecidedKeys, keys?: FileKeyHashes, check = true): Int32Array {
  const n = cols.length
  const valid = nullsOf(cols.data)
  const dvs = presentChild(cols.child('deletionVector'))
  const path = cols.child('path')
  const bytes = cols.pathBytes
  const offsets = cols.pathOffsets
  const rows = new Int32Array(n)
  let kept = 0
  for (let i = 0; i < n; i++) {
    if (valid !== undefined && !testBit(valid, cols.data.offset + i)) continue
    const dv: DeletionVectorDescriptor | null = dvs !== undefined && isValidRow(dvs, i) ? cols.deletionVectorOf(i) : null
    let hash: number | undefined
    if (bytes !== undefined && offsets !== undefined && path !== undefined && isValidRow(path, i)) {
      const j = path.offset + i
      const start = Number(offsets[j]!)
      const end = Number(offsets[j + 1]!)
      if (end > start) hash = fileKeyHashOfBytes(bytes, start, end, dv)
    }
    if (hash === undefined) hash = fileKeyHash(cols.pathOf(i), dv)
    keys?.add(hash)
    if (decided.hashes.size > 0 && decided.hashes.has(hash) && decided.keys.has(canonicalFileKey(canonicalPath(cols.pathOf(i)), dv))) continue
    rows[kept++] = i
  }
  const out = kept === n ? rows : rows.slice(0, kept)
  if (check) checkRows(cols, out)
  return out
}

/** A child column that holds at least one value, else undefined. */
function presentChild(child: Data | undefined): Data | undefined {
  return child && child.nullCount < child.length && !DataType.isNull(child.type) ? child : undefined
}

const OPTIONAL_FIELDS = ['deletionVector', 'tags', 'baseRowId', 'defaultRowCommitVersion', 'clusteringProvider', 'stats_parsed']

/**
 * Check the kept rows as `parseAction` checks an add, column by column: a row whose fields the
 * column types and a look at the raw values settle is fine; any other row (a null or negative
 * size, a missing partition map, an optional field present) is built as an action, which runs
 * every field's check and throws `InvalidLog` naming the row.
 */
function checkRows(cols: AddColumns, rows: Int32Array): void {
  const fast = [
    stringsOk(cols.child('path')),
    longsOk(cols.child('size'), true),
    longsOk(cols.child('modificationTime'), false),
    booleansOk(cols.child('dataChange')),
    mapsOk(cols.child('partitionValues')),
  ]
  const optional = OPTIONAL_FIELDS.map((name) => presentChild(cols.child(name))).filter((c): c is Data => c !== undefined)
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!
    if (fast.every((ok) => ok(i)) && optional.every((c) => !isValidRow(c, i))) continue
    cols.add(i)
  }
}

type RowCheck = (i: number) => boolean

const never: RowCheck = () => false

/** Non-empty strings. */
function stringsOk(child: Data | undefined): RowCheck {
  if (!child || !(DataType.isUtf8(child.type) || DataType.isLargeUtf8(child.type))) return never
  const offsets = child.valueOffsets as Int32Array | BigInt64Array
  return (i) => isValidRow(child, i) && offsets[child.offset + i + 1]! > offsets[child.offset + i]!
}

/**
 * Longs a double holds exactly (and not negative, when `nonNegative`), judged on the 32-bit
 * halves of the values so that no bigint is made; Int32 columns always hold such values.
 */
function longsOk(child: Data | undefined, nonNegative: boolean): RowCheck {
  if (!child) return never
  if (DataType.isInt(child.type) && child.type.bitWidth === 32) {
    const values = child.values as Int32Array
    return (i) => isValidRow(child, i) && (!nonNegative || values[child.offset + i]! >= 0)
  }
  if (!DataType.isInt(child.type) || child.type.bitWidth !== 64) return never
  const v = child.values as BigInt64Array
  const halves = new Int32Array(v.buffer, v.byteOffset, v.length * 2)
  // Little-endian: the high half of value j is word 2j+1; |value| < 2^53 when it is in range.
  const low = nonNegative ? 0 : -0x1fffff
  return (i) => {
    if (!isValidRow(child, i)) return false
    const hi = halves[2 * (child.offset + i) + 1]!
    return hi >= low && hi <= 0x1fffff
  }
}

function booleansOk(child: Data | undefined): RowCheck {
  if (!child || !DataType.isBool(child.type)) return never
  return (i) => isValidRow(child, i)
}

/** Present maps of strings to strings. */
function mapsOk(child: Data | undefined): RowCheck {
  if (!child || !isStringMap(child)) return never
  return (i) => isValidRow(child, i)
}
