import { crc32 } from '../delta/dv/crc32.js'
import { intField, listField, readThriftStruct, structField, ThriftError, type ThriftStruct } from './thrift-compact.js'

/** A column chunk to walk: where its pages lie and what its metadata promises. */
export interface ChunkToCheck {
  /** Absolute offsets of the chunk's bytes, `[start, end)`. */
  start: number
  end: number
  codec: string
  /** Values (levels) the chunk holds, from its metadata. */
  numValues: number
  /** Rows of its row group. */
  numRows: number
  /** Whether a REPEATED field lies on its path. */
  repeated: boolean
}

/** One page as its header describes it; offsets absolute, the body from `bodyStart` to `end`. */
export interface PageSpan {
  kind: 'dictionary' | 'data' | 'index'
  start: number
  bodyStart: number
  end: number
}

const DATA_PAGE = 0
const INDEX_PAGE = 1
const DICTIONARY_PAGE = 2
const DATA_PAGE_V2 = 3
// Parquet's Encoding enum: 0 PLAIN .. 9 BYTE_STREAM_SPLIT (1, GROUP_VAR_INT, was never used).
const isEncoding = (e: number | undefined) => e !== undefined && e >= 0 && e <= 9 && e !== 1
const isLevelEncoding = (e: number | undefined) => e === 3 || e === 4 // RLE, BIT_PACKED

/**
 * Walk the page headers of one column chunk, `bytes` being the chunk's bytes: every header must
 * parse inside the chunk and every page must end inside it; sizes and counts must be consistent
 * (a dictionary page only first, data page v2 level lengths inside the page, uncompressed pages
 * as long as they say, a page CRC when one is written); the data pages must hold exactly the
 * chunk's values, and its rows when the column is not repeated. Returns the pages; throws a
 * message (the caller names the file) on the first inconsistency.
 */
export function checkChunkPages(bytes: Uint8Array, chunk: ChunkToCheck): PageSpan[] {
  const pages: PageSpan[] = []
  let pos = 0
  let values = 0
  let rowsV2 = 0
  let allV2 = true
  const length = chunk.end - chunk.start
  while (values < chunk.numValues || (pages.length === 0 && length > 0)) {
    if (pos >= length) throw new PageError(`its pages end after ${values} of the chunk's ${chunk.numValues} values`)
    const at = chunk.start + pos
    let header: ThriftStruct
    try {
      const read = readThriftStruct(bytes, pos, length)
      header = read.value
      pos = read.end
    } catch (e) {
      if (e instanceof ThriftError) throw new PageError(`the page header at byte ${at} is malformed (${e.message})`)
      throw e
    }
    const page = checkPageHeader(header, at, chunk, pages.length === 0)
    const bodyEnd = pos + page.compressed
    if (bodyEnd > length) throw new PageError(`the page at byte ${at} runs ${bodyEnd - length} bytes past its column chunk`)
    if (page.crc !== undefined && (crc32(bytes.subarray(pos, bodyEnd)) | 0) !== page.crc) {
      throw new PageError(`the page at byte ${at} fails its CRC check`)
    }
    if (page.compressedBody) {
      const why = checkCompressedBody(chunk.codec, bytes.subarray(pos + page.compressedBody.skip, bodyEnd), page.compressedBody.size)
      if (why) throw new PageError(`the page at byte ${at} ${why}`)
    }
    pages.push({ kind: page.kind, start: at, bodyStart: chunk.start + pos, end: chunk.start + bodyEnd })
    pos = bodyEnd
    if (page.kind === 'data') {
      values += page.values
      if (page.rows === undefined) allV2 = false
      else rowsV2 += page.rows
      if (values > chunk.numValues) throw new PageError(`its data pages hold more values than the chunk's ${chunk.numValues}`)
    }
  }
  if (allV2 && pages.some((p) => p.kind === 'data') && rowsV2 !== chunk.numRows) {
    throw new PageError(`its data pages hold ${rowsV2} rows, the row group ${chunk.numRows}`)
  }
  return pages
}

interface PageFacts {
  kind: PageSpan['kind']
  compressed: number
  values: number
  /** Rows, which only v2 data page headers state. */
  rows?: number
  crc?: number
  /** Where the compressed part of the body starts (v2 levels are stored plain) and its decompressed size. */
  compressedBody?: { skip: number; size: number }
}

function checkPageHeader(h: ThriftStruct, at: number, chunk: ChunkToCheck, first: boolean): PageFacts {
  const type = intField(h, 1)
  const uncompressed = intField(h, 2)
  const compressed = intField(h, 3)
  const where = `the page at byte ${at}`
  if (uncompressed === undefined || uncompressed < 0 || compressed === undefined || compressed < 0) {
    throw new PageError(`${where} has invalid sizes`)
  }
  const crcValue = h.get(4)
  if (crcValue !== undefined && typeof crcValue !== 'number') throw new PageError(`${where} has an invalid CRC field`)
  const crc = crcValue
  const plain = chunk.codec === 'UNCOMPRESSED'
  if (plain && type !== DATA_PAGE_V2 && uncompressed !== compressed) throw new PageError(`${where} is uncompressed but its two sizes differ`)
  switch (type) {
    case DICTIONARY_PAGE: {
      const d = structField(h, 7)
      const values = d && intField(d, 1)
      if (!first) throw new PageError(`${where} is a dictionary page after the first page`)
      if (!d || values === undefined || values < 0 || !isEncoding(intField(d, 2))) throw new PageError(`${where} has an invalid dictionary page header`)
      return { kind: 'dictionary', compressed, values: 0, crc, compressedBody: { skip: 0, size: uncompressed } }
    }
    case DATA_PAGE: {
      const d = structField(h, 5)
      const values = d && intField(d, 1)
      if (!d || values === undefined || values < 0 || !isEncoding(intField(d, 2)) || !isLevelEncoding(intField(d, 3)) || !isLevelEncoding(intField(d, 4))) {
        throw new PageError(`${where} has an invalid data page header`)
      }
      return { kind: 'data', compressed, values, crc, compressedBody: { skip: 0, size: uncompressed } }
    }
    case DATA_PAGE_V2:
      return { ...checkV2Header(h, where, compressed, uncompressed, plain), crc }
    case INDEX_PAGE:
      return { kind: 'index', compressed, values: 0, crc }
    default:
      throw new PageError(`${where} has an unknown page type ${String(type)}`)
  }
}

function checkV2Header(h: ThriftStruct, where: string, compressed: number, uncompressed: number, plain: boolean): PageFacts {
  const d = structField(h, 8)
  const values = d && intField(d, 1)
  const nulls = d && intField(d, 2)
  const rows = d && intField(d, 3)
  const defLength = d && intField(d, 5)
  const repLength = d && intField(d, 6)
  const flag = d?.get(7)
  if (
    !d || values === undefined || nulls === undefined || rows === undefined || defLength === undefined || repLength === undefined ||
    values < 0 || nulls < 0 || nulls > values || rows < 0 || rows > values || defLength < 0 || repLength < 0 ||
    !isEncoding(intField(d, 4)) || (flag !== undefined && typeof flag !== 'boolean')
  ) {
    throw new PageError(`${where} has an invalid data page v2 header`)
  }
  // Levels are stored uncompressed ahead of the values, so they fit in both sizes.
  if (defLength + repLength > compressed || defLength + repLength > uncompressed) throw new PageError(`${where} has levels longer than the page`)
  if ((plain || flag === false) && compressed !== uncompressed) throw new PageError(`${where} is uncompressed but its two sizes differ`)
  const levels = defLength + repLength
  return { kind: 'data', compressed, values, rows, ...(flag !== false && { compressedBody: { skip: levels, size: uncompressed - levels } }) }
}

/**
 * What the start (or end) of a compressed body says of its decompressed size, against the size
 * the page header states: a snappy block begins with that size; a zstd frame may carry it; a
 * gzip member ends with it. A mismatch is a corrupt header or body, caught before a decompressor
 * sized by the header meets it. Undefined when consistent (or the codec states nothing).
 */
function checkCompressedBody(codec: string, body: Uint8Array, size: number): string | undefined {
  if (codec === 'SNAPPY') {
    const stated = leb128(body)
    return stated === size ? undefined : `holds snappy data of ${stated ?? 'no valid'} bytes where its header says ${size}`
  }
  if (codec === 'ZSTD') {
    const stated = zstdContentSize(body)
    // A body may hold several frames, each stating its own size: only more than the whole is wrong.
    return stated === 'corrupt' ? 'holds no zstd frame' : stated !== undefined && stated > size ? `holds a zstd frame of ${stated} bytes where its header says ${size}` : undefined
  }
  if (codec === 'GZIP') {
    if (body.length < 18 || body[0] !== 0x1f || body[1] !== 0x8b) return 'holds no gzip data'
    const last = new DataView(body.buffer, body.byteOffset + body.length - 4, 4).getUint32(0, true)
    return size < 2 ** 32 && last > size ? `holds gzip data of ${last} bytes where its header says ${size}` : undefined
  }
  return undefined
}

/** An unsigned LEB128 varint of at most 5 bytes at the start of `bytes`, as snappy writes it. */
function leb128(bytes: Uint8Array): number | undefined {
  let value = 0
  for (let i = 0; i < 5 && i < bytes.length; i++) {
    value += (bytes[i]! & 0x7f) * 2 ** (7 * i)
    if ((bytes[i]! & 0x80) === 0) return value
  }
  return undefined
}

const ZSTD_MAGIC = 0xfd2fb528

/** The content size a zstd frame header states, undefined when it states none, 'corrupt' when not a frame. */
function zstdContentSize(bytes: Uint8Array): number | 'corrupt' | undefined {
  if (bytes.length < 6) return 'corrupt'
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = view.getUint32(0, true)
  if ((magic & 0xfffffff0) === 0x184d2a50) return undefined // a skippable frame: nothing stated
  if (magic !== ZSTD_MAGIC) return 'corrupt'
  const descriptor = bytes[4]!
  const fcsFlag = descriptor >> 6
  const singleSegment = (descriptor >> 5) & 1
  const dictBytes = [0, 1, 2, 4][descriptor & 3]!
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!
  if (fcsBytes === 0) return undefined
  const at = 5 + (singleSegment ? 0 : 1) + dictBytes
  if (at + fcsBytes > bytes.length) return 'corrupt'
  switch (fcsBytes) {
    case 1:
      return bytes[at]!
    case 2:
      return view.getUint16(at, true) + 256
    case 4:
      return view.getUint32(at, true)
    default:
      return Number(view.getBigUint64(at, true))
  }
}

/**
 * Check a chunk's offset index (the thrift bytes) against its walked pages: one location per
 * data page, at that page's offset and size, rows starting at 0 and ascending within the group.
 */
export function checkOffsetIndex(bytes: Uint8Array, pages: readonly PageSpan[], numRows: number): void {
  const index = parseIndex(bytes, 'offset index')
  const locations = listField(index, 1)
  const data = pages.filter((p) => p.kind === 'data')
  if (!locations || locations.length !== data.length) throw new PageError(`its offset index lists ${locations?.length ?? 'no'} pages, the chunk has ${data.length}`)
  let previous = -1
  locations.forEach((loc, i) => {
    const page = data[i]!
    const offset = loc instanceof Map ? intField(loc, 1) : undefined
    const size = loc instanceof Map ? intField(loc, 2) : undefined
    const firstRow = loc instanceof Map ? intField(loc, 3) : undefined
    if (offset !== page.start || size !== page.end - page.start) throw new PageError(`its offset index places page ${i} where the chunk has none`)
    if (firstRow === undefined || (i === 0 ? firstRow !== 0 : firstRow < previous) || (numRows > 0 && firstRow >= numRows)) {
      throw new PageError(`its offset index gives page ${i} an invalid first row`)
    }
    previous = firstRow
  })
}

/**
 * Check a chunk's column index (the thrift bytes): one entry per data page in each list and a
 * known boundary order.
 */
export function checkColumnIndex(bytes: Uint8Array, dataPages: number): void {
  const index = parseIndex(bytes, 'column index')
  const lists = [1, 2, 3].map((id) => listField(index, id))
  const order = intField(index, 4)
  const nullCounts = index.get(5)
  if (lists.some((l) => !l || l.length !== dataPages) || order === undefined || order < 0 || order > 2) {
    throw new PageError(`its column index does not describe its ${dataPages} data pages`)
  }
  if (nullCounts !== undefined && !(Array.isArray(nullCounts) && nullCounts.length === dataPages)) throw new PageError('its column index has invalid null counts')
}

/** Check that a page index of a chunk not decoded is at least well-formed (the decoder parses it). */
export function checkIndexParses(bytes: Uint8Array, what: 'column index' | 'offset index'): void {
  parseIndex(bytes, what)
}

function parseIndex(bytes: Uint8Array, what: string): ThriftStruct {
  try {
    const { value, end } = readThriftStruct(bytes, 0)
    if (end !== bytes.length) throw new PageError(`its ${what} is ${bytes.length - end} bytes longer than its content`)
    return value
  } catch (e) {
    if (e instanceof ThriftError) throw new PageError(`its ${what} is malformed (${e.message})`)
    throw e
  }
}

/** An inconsistency in a chunk's pages; the caller names the file and the column. */
export class PageError extends Error {
  override readonly name = 'PageError'
}
