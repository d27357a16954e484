import type { DeletionVectorDescriptor } from '../model/actions.js'
import { crc32 } from './crc32.js'
import { DeltaError } from '../engine/errors.js'
import { relativeToTable, URI_SCHEME } from '../log/data-path.js'
import { RowIndexSet, decodeRoaringBitmapArray, encodeRoaringBitmapArray } from './roaring.js'
import type { Storage } from '../engine/storage.js'
import { decodeZ85, encodeZ85 } from './z85.js'

export { RowIndexSet, decodeRoaringBitmapArray, encodeRoaringBitmapArray } from './roaring.js'

// DV files (PROTOCOL.md, "Deletion Vector File Storage Format"): a version byte, then per DV a
// big-endian u32 size, the RoaringBitmapArray bytes and a big-endian CRC-32 of those bytes.
const FILE_FORMAT_VERSION = 1
// `u` descriptors end in the Z85 form of a 16-byte UUID; whatever precedes it is a folder prefix.
const UUID_Z85_LENGTH = 20
// A DV file stores each DV's size as a 32-bit number.
const MAX_DV_BYTES = 2 ** 32 - 1
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The path of a deletion vector's file relative to the table root, or undefined for an inline
 * DV. `u`: `<prefix>/deletion_vector_<uuid>.bin` (no folder without a prefix). `p`: the path if it
 * is relative, or if it lies under `tableUri` (the table's own URI, e.g. `s3://bucket/table`);
 * any other absolute path fails with `UnsupportedFeature`, since storage is scoped to the table.
 */
export function deletionVectorPath(dv: DeletionVectorDescriptor, tableUri?: string): string | undefined {
  checkDescriptor(dv)
  if (dv.storageType === 'i') return undefined
  if (dv.storageType === 'u') {
    const text = dv.pathOrInlineDv
    if (text.length < UUID_Z85_LENGTH) throw badDescriptor(dv, `pathOrInlineDv must end in ${UUID_Z85_LENGTH} Z85 characters of a UUID`)
    const prefix = text.slice(0, text.length - UUID_Z85_LENGTH)
    const uuid = formatUuid(decodeDescriptorZ85(dv, text.slice(prefix.length)))
    return `${prefix === '' ? '' : `${prefix}/`}deletion_vector_${uuid}.bin`
  }
  return relativeAbsolutePath(dv, tableUri)
}

/**
 * Check a descriptor's fields before any is used: a known storage type, a path or inline text,
 * sizes and counts that are whole numbers in range. `InvalidLog` otherwise (the log entry is
 * corrupt), whatever the log parser let through.
 */
export function checkDescriptor(dv: DeletionVectorDescriptor): void {
  const d = dv as unknown as Record<string, unknown>
  if (d.storageType !== 'u' && d.storageType !== 'p' && d.storageType !== 'i') throw badDescriptor(dv, `storageType ${JSON.stringify(d.storageType)} is not u, p or i`)
  if (typeof d.pathOrInlineDv !== 'string' || d.pathOrInlineDv === '') throw badDescriptor(dv, 'pathOrInlineDv is missing')
  if (!isCount(d.sizeInBytes) || d.sizeInBytes > MAX_DV_BYTES) throw badDescriptor(dv, `sizeInBytes ${String(d.sizeInBytes)} is not a size a DV can have`)
  if (!isCount(d.cardinality)) throw badDescriptor(dv, `cardinality ${String(d.cardinality)} is not a row count`)
  if (d.offset !== undefined && d.offset !== null && !(isCount(d.offset) && d.offset >= 1)) throw badDescriptor(dv, `offset ${String(d.offset)} cannot locate a DV in a file`)
  if (d.maxRowIndex !== undefined && d.maxRowIndex !== null && !isCount(d.maxRowIndex)) throw badDescriptor(dv, `maxRowIndex ${String(d.maxRowIndex)} is not a row index`)
}

/**
 * Read and verify one deletion vector. File DVs are read with a single range request (the size
 * field, the bitmap and its checksum; the version byte too when the DV is the file's first); the
 * size field must equal `sizeInBytes` and the CRC-32 must match, else `InvalidData` naming the file.
 * The decoded set must hold `cardinality` rows. `tableRoot` is the table's folder in `storage`
 * ('' when the storage is rooted at the table); `tableUri` resolves `p` DVs (see
 * {@link deletionVectorPath}).
 */
export async function readDeletionVector(
  storage: Storage,
  dv: DeletionVectorDescriptor,
  opts: { tableUri?: string } = {},
): Promise<RowIndexSet> {
  const relative = deletionVectorPath(dv, opts.tableUri)
  if (relative === undefined) return checkDecoded(decodeInlineBytes(dv), dv, 'inline deletion vector')
  const path = relative
  // An absent offset means the file's first DV, right after the version byte (as delta-kernel-rs
  // and Spark read it), not the version byte itself.
  const offset = dv.offset ?? 1
  const size = dv.sizeInBytes
  if (size < 4) throw badDescriptor(dv, `sizeInBytes ${size} is smaller than any bitmap`)
  const start = offset === 1 ? 0 : offset
  const length = offset - start + 4 + size + 4
  const data: unknown = await storage.read(path, { offset: start, length })
  if (!(data instanceof Uint8Array) || data.length !== length) {
    const got = data instanceof Uint8Array ? data.length : 0
    throw invalidData(path, offset, got < length ? `the file ends ${length - got} bytes before the DV does` : `a read of ${length} bytes returned ${got}`)
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  if (start === 0 && data[0] !== FILE_FORMAT_VERSION) {
    throw invalidData(path, offset, `the file's format version is ${data[0]}, not ${FILE_FORMAT_VERSION} (a newer Delta writer, or a corrupt byte)`)
  }
  const at = offset - start
  const stored = view.getUint32(at, false)
  if (stored !== size) throw invalidData(path, offset, `the file says the DV has ${stored} bytes, the log says ${size}`)
  const bitmap = data.subarray(at + 4, at + 4 + size)
  const checksum = view.getUint32(at + 4 + size, false)
  if (crc32(bitmap) !== checksum) throw invalidData(path, offset, 'the CRC-32 checksum does not match')
  const where = `deletion vector in ${path} at offset ${offset}`
  return checkDecoded(decodeRoaringBitmapArray(bitmap, where), dv, where)
}

/**
 * Check that a data file of `numRows` rows holds every row its deletion vector deletes: a DV
 * naming a row past the end belongs to another file or is corrupt, and applying it would
 * silently keep rows it meant to delete. `InvalidData` naming the data file.
 */
export function checkDeletedRows(deleted: RowIndexSet, numRows: number, dataPath: string): void {
  const max = deleted.max
  if (max !== undefined && max >= numRows) {
    throw new DeltaError(
      'InvalidData',
      `the deletion vector of '${dataPath}' deletes row ${max}, but the file has ${numRows} rows: the deletion vector belongs to ` +
        'another file or is corrupt; restore the data file or the DV file from a backup',
    )
  }
}

/**
 * Lay out a DV file holding the given RoaringBitmapArrays (from
 * {@link encodeRoaringBitmapArray}). `offsets[i]` is the descriptor `offset` of bitmap i.
 */
export function serializeDeletionVectorFile(bitmaps: readonly Uint8Array[]): { bytes: Uint8Array; offsets: number[] } {
  const bytes = new Uint8Array(1 + bitmaps.reduce((n, b) => n + 8 + b.length, 0))
  const view = new DataView(bytes.buffer)
  bytes[0] = FILE_FORMAT_VERSION
  const offsets: number[] = []
  let pos = 1
  for (const bitmap of bitmaps) {
    offsets.push(pos)
    view.setUint32(pos, bitmap.length, false)
    bytes.set(bitmap, pos + 4)
    view.setUint32(pos + 4 + bitmap.length, crc32(bitmap), false)
    pos += 8 + bitmap.length
  }
  return { bytes, offsets }
}

/**
 * An inline (`i`) descriptor carrying the rows in the log itself: the RoaringBitmapArray,
 * zero-padded to a multiple of 4 bytes and Z85-encoded. Worth it only for a few rows; larger sets
 * belong in a file ({@link writeDeletionVectors}).
 */
export function inlineDeletionVector(rows: Iterable<number> | RowIndexSet): DeletionVectorDescriptor {
  const set = rows instanceof RowIndexSet ? rows : RowIndexSet.fromRows(rows)
  const bytes = encodeRoaringBitmapArray(set)
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4)
  padded.set(bytes)
  return { storageType: 'i', pathOrInlineDv: encodeZ85(padded), sizeInBytes: bytes.length, cardinality: set.size }
}

/**
 * A `u` descriptor for a DV at `offset` in a file named by `uuid` (a fresh random one when
 * omitted) under the optional folder `prefix` (letters and digits only, as the protocol's random
 * prefixes are). Give every DV of one file the same `uuid`.
 */
export function newDeletionVectorDescriptor(opts: {
  prefix?: string
  uuid?: string
  offset: number
  sizeInBytes: number
  cardinality: number
}): DeletionVectorDescriptor {
  const prefix = opts.prefix ?? ''
  if (!/^[A-Za-z0-9]*$/.test(prefix)) throw new DeltaError('InvalidArgument', `deletion vector prefix '${prefix}' must hold only letters and digits`)
  if (opts.uuid !== undefined && !UUID_PATTERN.test(opts.uuid)) throw new DeltaError('InvalidArgument', `'${opts.uuid}' is not a UUID like 01234567-89ab-cdef-0123-456789abcdef`)
  const uuid = opts.uuid === undefined ? randomUuidBytes() : parseUuid(opts.uuid)
  return {
    storageType: 'u',
    pathOrInlineDv: prefix + encodeZ85(uuid),
    offset: opts.offset,
    sizeInBytes: opts.sizeInBytes,
    cardinality: opts.cardinality,
  }
}

/**
 * Write one new DV file under `tableRoot` holding a DV per row set, created only if absent (a UUID
 * clash fails with `FileAlreadyExists` instead of overwriting), and return their descriptors in
 * the same order; no file for no row sets. `encoded` gives their RoaringBitmapArray bytes when
 * the caller has them already. Commit them in `add` actions after this resolves.
 */
export async function writeDeletionVectors(
  storage: Storage,
  rowSets: Array<Iterable<number> | RowIndexSet>,
  opts: { prefix?: string; encoded?: readonly Uint8Array[] } = {},
): Promise<DeletionVectorDescriptor[]> {
  const sets = rowSets.map((rows) => (rows instanceof RowIndexSet ? rows : RowIndexSet.fromRows(rows)))
  const bitmaps = opts.encoded ?? sets.map((set) => encodeRoaringBitmapArray(set))
  const { bytes, offsets } = serializeDeletionVectorFile(bitmaps)
  const uuid = formatUuid(randomUuidBytes())
  const descriptors = sets.map((set, i) =>
    newDeletionVectorDescriptor({ prefix: opts.prefix, uuid, offset: offsets[i]!, sizeInBytes: bitmaps[i]!.length, cardinality: set.size }),
  )
  const first = descriptors[0]
  if (first) await storage.put(deletionVectorPath(first)!, bytes, { ifAbsent: true })
  return descriptors
}

function decodeInlineBytes(dv: DeletionVectorDescriptor): RowIndexSet {
  const raw = decodeDescriptorZ85(dv, dv.pathOrInlineDv)
  // Z85 pads to whole 4-byte groups: at most 3 bytes past sizeInBytes.
  if (raw.length < dv.sizeInBytes || raw.length - dv.sizeInBytes > 3) throw badDescriptor(dv, `inline data holds ${raw.length} bytes, sizeInBytes says ${dv.sizeInBytes}`)
  // Inline data is padded to whole Z85 groups; sizeInBytes is the bitmap's true length.
  return decodeRoaringBitmapArray(raw.subarray(0, dv.sizeInBytes), 'inline deletion vector')
}

function relativeAbsolutePath(dv: DeletionVectorDescriptor, tableUri: string | undefined): string {
  const path = dv.pathOrInlineDv
  const isAbsolute = URI_SCHEME.test(path) || path.startsWith('/')
  const relative = isAbsolute ? relativeToTable(path, tableUri) : decodeDescriptorPath(dv)
  if (relative === undefined) {
    throw new DeltaError('UnsupportedFeature', `deletion vector ${path} lies outside the table root${tableUri ? ` ${tableUri}` : ''}; only deletion vectors stored under the table can be read`)
  }
  return relative
}

function decodeDescriptorPath(dv: DeletionVectorDescriptor): string {
  try {
    return decodeURIComponent(dv.pathOrInlineDv)
  } catch (e) {
    throw badDescriptor(dv, 'the path is not valid URI encoding', e)
  }
}

// The stated cardinality (and maxRowIndex, when a writer records it) must match what decoded.
function checkDecoded(set: RowIndexSet, dv: DeletionVectorDescriptor, where: string): RowIndexSet {
  if (set.size !== dv.cardinality) {
    throw new DeltaError('InvalidData', `${where} holds ${set.size} rows but the log says ${dv.cardinality}; the deletion vector or the log is corrupt`)
  }
  const max = set.max
  if (typeof dv.maxRowIndex === 'number' && max !== undefined && max > dv.maxRowIndex) {
    throw new DeltaError('InvalidData', `${where} deletes row ${max} but the log says its largest row index is ${dv.maxRowIndex}; the deletion vector or the log is corrupt`)
  }
  return set
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

function decodeDescriptorZ85(dv: DeletionVectorDescriptor, text: string): Uint8Array {
  try {
    return decodeZ85(text)
  } catch (e) {
    throw badDescriptor(dv, e instanceof Error ? e.message : String(e), e)
  }
}


function formatUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function parseUuid(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '')
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16))
}

function randomUuidBytes(): Uint8Array {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40 // version 4
  b[8] = (b[8]! & 0x3f) | 0x80 // RFC 4122 variant
  return b
}

function badDescriptor(dv: DeletionVectorDescriptor, why: string, cause?: unknown): DeltaError {
  const id = `${String(dv.storageType)}${typeof dv.pathOrInlineDv === 'string' ? dv.pathOrInlineDv.slice(0, 60) : ''}`
  return new DeltaError('InvalidLog', `deletion vector descriptor ${id}: ${why}; the log entry is corrupt`, { cause })
}

function invalidData(path: string, offset: number, why: string): DeltaError {
  return new DeltaError('InvalidData', `deletion vector in ${path} at offset ${offset}: ${why}; the DV file is corrupt or was replaced, restore it from a backup`)
}
