// An independent check of a table folder against PROTOCOL.md, written from the protocol text and
// not from this library's reader: it reads the raw log, the checkpoint `_last_checkpoint` names
// (classic, multi-part, or v2 with its sidecars, with hyparquet) and the data files' footers, and lists
// every rule a writer broke.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Obj = Record<string, Json>

interface Field {
  name: string
  type: Json
  nullable: boolean
  metadata: Obj
}

const COMMIT = /^(\d{20})\.json$/
const DATE = /^\d{4}-\d{2}-\d{2}$/
/**
 * PROTOCOL.md allows a timestamp partition value as `yyyy-MM-dd HH:mm:ss[.S]` or ISO-8601 and
 * recommends ISO-8601 in UTC: a zone-less value is read in the reader's zone by some engines, so
 * this library writes (and this check wants) the recommended form.
 */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const TIMESTAMP_NTZ = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/

/** Every protocol rule the table at `root` breaks, as readable lines; empty when it conforms. */
export async function checkTableProtocol(root: string): Promise<string[]> {
  const problems: string[] = []
  const log = join(root, '_delta_log')
  const commits = readdirSync(log).filter((n) => COMMIT.test(n)).sort()
  let metadata: Obj | undefined
  let protocol: Obj | undefined
  const fileActions: { where: string; kind: string; body: Obj }[] = []
  for (const name of commits) {
    const bytes = readFileSync(join(log, name))
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      problems.push(`${name}: not UTF-8`)
      continue
    }
    const kinds: string[] = []
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return
      const where = `${name}:${i + 1}`
      const action = JSON.parse(line) as Json
      if (!action || typeof action !== 'object' || Array.isArray(action) || Object.keys(action).length !== 1) {
        problems.push(`${where}: a line must be an object with one action`)
        return
      }
      const [kind, body] = Object.entries(action)[0]! as [string, Obj]
      kinds.push(kind)
      if (kind === 'metaData') metadata = body
      if (kind === 'protocol') protocol = body
      if (kind === 'add' || kind === 'remove' || kind === 'cdc') fileActions.push({ where, kind, body })
    })
    for (const once of ['metaData', 'protocol']) if (kinds.filter((k) => k === once).length > 1) problems.push(`${name}: two ${once} actions`)
    if (!kinds.includes('commitInfo')) problems.push(`${name}: no commitInfo`)
  }
  if (!metadata || !protocol) return [...problems, 'no metaData or protocol in the log']
  const schema = JSON.parse(String(metadata.schemaString)) as { fields: Field[] }
  const mode = (metadata.configuration as Obj | undefined)?.['delta.columnMapping.mode'] ?? 'none'
  problems.push(...checkColumnMapping(schema.fields, String(mode), metadata, protocol))
  const physical = (f: Field): string => (mode === 'none' ? f.name : String(f.metadata['delta.columnMapping.physicalName']))
  const partitionColumns = (metadata.partitionColumns as string[]).map((name) => schema.fields.find((f) => f.name === name)!)
  const partitionKeys = partitionColumns.map(physical).sort()
  for (const { where, kind, body } of fileActions) {
    if (kind === 'remove' && body.partitionValues === undefined) continue
    problems.push(...checkPartitionValues(`${where} ${kind}`, body.partitionValues, partitionColumns, partitionKeys, physical))
    if (kind === 'add' && typeof body.stats === 'string') problems.push(...checkStats(where, body.stats, schema.fields, partitionColumns, physical))
    if (kind !== 'remove') problems.push(...checkDataFile(`${where} ${kind}`, root, body, schema.fields, partitionColumns, physical))
    if (body.deletionVector) problems.push(...checkDeletionVector(`${where} ${kind}`, root, body, protocol))
  }
  problems.push(...(await checkCheckpoint(log, partitionColumns, partitionKeys, physical, protocol)))
  return problems
}

const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#'
const ROARING_ARRAY_MAGIC = 1681511377

function z85Decode(text: string): Uint8Array | undefined {
  if (text.length % 5 !== 0) return undefined
  const out = new Uint8Array((text.length / 5) * 4)
  for (let i = 0; i < text.length / 5; i++) {
    let v = 0
    for (let k = 0; k < 5; k++) {
      const d = Z85.indexOf(text[i * 5 + k]!)
      if (d < 0) return undefined
      v = v * 85 + d
    }
    new DataView(out.buffer).setUint32(i * 4, v)
  }
  return out
}

/**
 * A deletion vector descriptor as PROTOCOL.md's "Deletion Vector Descriptor Schema" and
 * "Deletion Vector Format" say: the feature in the protocol, the fields its storage type needs,
 * and for a `u` vector the file `<prefix>/deletion_vector_<uuid>.bin` holding, at `offset`, the
 * bitmap's size, a RoaringBitmapArray (magic first) of `sizeInBytes` bytes and its CRC-32.
 */
function checkDeletionVector(where: string, root: string, body: Obj, protocol: Obj): string[] {
  const dv = body.deletionVector as Obj
  const problems: string[] = []
  const has = (list: Json | undefined) => Array.isArray(list) && list.includes('deletionVectors')
  if (!has(protocol.readerFeatures) || !has(protocol.writerFeatures)) problems.push(`${where}: a deletion vector without the deletionVectors feature`)
  if (typeof dv.sizeInBytes !== 'number' || typeof dv.cardinality !== 'number' || dv.cardinality < 1) problems.push(`${where}: deletion vector without sizeInBytes or a positive cardinality`)
  const stats = typeof body.stats === 'string' ? JSON.parse(body.stats) as Obj : undefined
  if (stats && typeof stats.numRecords === 'number' && Number(dv.cardinality) > stats.numRecords) problems.push(`${where}: the deletion vector deletes more rows than the file has`)
  if (dv.storageType === 'i') {
    if (dv.offset !== undefined) problems.push(`${where}: an inline deletion vector has an offset`)
    return problems
  }
  if (dv.storageType !== 'u') return [...problems, `${where}: deletion vector storage type ${JSON.stringify(dv.storageType)} is not written by this library`]
  const text = String(dv.pathOrInlineDv)
  const uuid = z85Decode(text.slice(-20))
  if (!uuid || typeof dv.offset !== 'number') return [...problems, `${where}: a 'u' deletion vector needs a Z85 UUID and an offset`]
  const hex = Array.from(uuid, (b) => b.toString(16).padStart(2, '0')).join('')
  const name = `deletion_vector_${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}.bin`
  const prefix = text.slice(0, -20)
  const file = join(root, ...(prefix ? [prefix] : []), name)
  if (!existsSync(file)) return [...problems, `${where}: deletion vector file ${name} is missing`]
  const bytes = readFileSync(file)
  if (bytes[0] !== 1) problems.push(`${where}: ${name} does not start with format version 1`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const at = dv.offset
  if (at + 8 + Number(dv.sizeInBytes) > bytes.length) return [...problems, `${where}: ${name} is shorter than the vector it should hold`]
  if (view.getUint32(at) !== dv.sizeInBytes) problems.push(`${where}: ${name} gives the vector ${view.getUint32(at)} bytes, the log ${dv.sizeInBytes}`)
  const bitmap = bytes.subarray(at + 4, at + 4 + Number(dv.sizeInBytes))
  if (new DataView(bitmap.buffer, bitmap.byteOffset).getUint32(0, true) !== ROARING_ARRAY_MAGIC) problems.push(`${where}: the vector in ${name} lacks the RoaringBitmapArray magic`)
  if (view.getUint32(at + 4 + Number(dv.sizeInBytes)) !== crc32(bitmap)) problems.push(`${where}: the CRC of the vector in ${name} does not match`)
  return problems
}

function checkColumnMapping(fields: Field[], mode: string, metadata: Obj, protocol: Obj): string[] {
  if (mode === 'none') return []
  const problems: string[] = []
  const ids: number[] = []
  const visit = (list: Field[], path: string): void => {
    for (const f of list) {
      const id = f.metadata['delta.columnMapping.id']
      const name = f.metadata['delta.columnMapping.physicalName']
      if (typeof id !== 'number' || typeof name !== 'string' || !name) problems.push(`column ${path}${f.name}: no column mapping id or physical name`)
      else ids.push(id)
      const type = f.type as Obj
      if (type && typeof type === 'object' && type.type === 'struct') visit(type.fields as unknown as Field[], `${path}${f.name}.`)
    }
  }
  visit(fields, '')
  if (new Set(ids).size !== ids.length) problems.push('column mapping ids repeat')
  const maxId = Number((metadata.configuration as Obj)['delta.columnMapping.maxColumnId'])
  if (!(maxId >= Math.max(0, ...ids))) problems.push(`delta.columnMapping.maxColumnId ${maxId} is below the largest id`)
  const features = (protocol.readerFeatures as string[] | undefined) ?? []
  const supports = Number(protocol.minReaderVersion) === 2 ? Number(protocol.minWriterVersion) >= 5 : features.includes('columnMapping')
  if (!supports) problems.push('column mapping without protocol support')
  return problems
}

function checkPartitionValues(where: string, values: Json | undefined, columns: Field[], keys: string[], physical: (f: Field) => string): string[] {
  if (!values || typeof values !== 'object' || Array.isArray(values)) return [`${where}: partitionValues missing`]
  const got = Object.keys(values).sort()
  if (got.join('\u0000') !== keys.join('\u0000')) return [`${where}: partitionValues keyed ${JSON.stringify(got)}, the protocol wants the physical names ${JSON.stringify(keys)}`]
  const problems: string[] = []
  for (const column of columns) {
    const value = values[physical(column)]
    if (value === null || value === undefined) continue
    if (typeof value !== 'string') problems.push(`${where}: partition value of ${column.name} is not a string`)
    else if (!partitionValueFits(value, column.type)) problems.push(`${where}: partition value ${JSON.stringify(value)} of ${column.name} (${JSON.stringify(column.type)}) is not in the protocol's form`)
  }
  return problems
}

function partitionValueFits(value: string, type: Json): boolean {
  if (value === '') return true
  switch (type) {
    case 'date':
      return DATE.test(value)
    case 'timestamp':
      return TIMESTAMP.test(value)
    case 'timestamp_ntz':
      return TIMESTAMP_NTZ.test(value)
    case 'boolean':
      return value === 'true' || value === 'false'
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(value)
    default:
      return true
  }
}

function checkStats(where: string, text: string, fields: Field[], partitionColumns: Field[], physical: (f: Field) => string): string[] {
  const stats = JSON.parse(text) as Obj
  const problems: string[] = []
  if (!Number.isSafeInteger(stats.numRecords)) problems.push(`${where}: stats without an integer numRecords`)
  const allowed = new Set(fields.filter((f) => !partitionColumns.includes(f)).map(physical))
  for (const group of ['minValues', 'maxValues', 'nullCount']) {
    const values = stats[group]
    if (values === undefined) continue
    for (const key of Object.keys(values as Obj)) if (!allowed.has(key)) problems.push(`${where}: stats ${group} keyed ${key}, not a physical data column`)
  }
  return problems
}

function checkDataFile(where: string, root: string, body: Obj, fields: Field[], partitionColumns: Field[], physical: (f: Field) => string): string[] {
  const path = String(body.path)
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('/') || decodeURIComponent(path).split('/').includes('..')) return [`${where}: path ${path} is not relative to the table`]
  const file = join(root, ...decodeURIComponent(path).split('/'))
  if (!existsSync(file)) return [`${where}: ${path} does not exist`]
  if (statSync(file).size !== body.size) return [`${where}: size ${String(body.size)} but the file has ${statSync(file).size} bytes`]
  const bytes = readFileSync(file)
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  const top = new Set<string>()
  let skip = 0
  for (const e of meta.schema.slice(1)) {
    if (skip > 0) {
      skip += (e.num_children ?? 0) - 1
      continue
    }
    top.add(e.name)
    skip = e.num_children ?? 0
  }
  const problems: string[] = []
  for (const column of partitionColumns) if (top.has(physical(column)) || top.has(column.name)) problems.push(`${where}: the file holds partition column ${column.name}`)
  for (const f of fields) {
    if (partitionColumns.includes(f)) continue
    if (!top.has(physical(f))) problems.push(`${where}: the file has no column ${physical(f)} (${f.name})`)
  }
  return problems
}

async function checkCheckpoint(log: string, columns: Field[], keys: string[], physical: (f: Field) => string, protocol: Obj): Promise<string[]> {
  const last = join(log, '_last_checkpoint')
  if (!existsSync(last)) return []
  const hint = JSON.parse(readFileSync(last, 'utf8')) as Obj
  const checksumProblems = checkLastCheckpointChecksum(hint)
  if (hint.v2Checkpoint !== undefined) return [...checksumProblems, ...(await checkV2Checkpoint(log, hint, protocol, (name, rows) => checkAdds(name, rows, columns, keys, physical)))]
  if (typeof hint.parts === 'number' && hint.parts > 1) return [...checksumProblems, ...(await checkMultiPartCheckpoint(log, hint, protocol, (name, rows) => checkAdds(name, rows, columns, keys, physical)))]
  const name = `${String(hint.version).padStart(20, '0')}.checkpoint.parquet`
  const file = join(log, name)
  if (!existsSync(file)) return [`_last_checkpoint names ${name}, which is absent`]
  const problems: string[] = [...checksumProblems]
  if (hint.sizeInBytes !== undefined && hint.sizeInBytes !== statSync(file).size) problems.push(`_last_checkpoint sizeInBytes ${String(hint.sizeInBytes)} for a ${statSync(file).size}-byte checkpoint`)
  problems.push(...checkAdds(name, (await readParquetRows(file, ['add'])) as Row[], columns, keys, physical))
  return problems
}

type Row = Record<string, Obj | null>

/**
 * `_last_checkpoint`'s checksum, when it has one (PROTOCOL.md, JSON checksum): the MD5 of the
 * canonical form, where each leaf is `path=value`, names and strings quoted and percent-encoded
 * (all but A-Z a-z 0-9 - . _ ~, upper-case hex), array positions bare, pairs sorted by the UTF-8
 * bytes of the path and joined by commas, the top-level checksum left out.
 */
function checkLastCheckpointChecksum(hint: Obj): string[] {
  if (hint.checksum === undefined) return []
  const encode = (s: string): string => `"${[...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}"`
  const pairs: [string, string][] = []
  const walk = (v: Json, path: string[]): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)]))
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, encode(k)])
    else pairs.push([path.join('+'), typeof v === 'string' ? encode(v) : JSON.stringify(v)])
  }
  for (const [k, v] of Object.entries(hint)) if (k !== 'checksum') walk(v, [encode(k)])
  pairs.sort((a, b) => Buffer.compare(Buffer.from(a[0], 'utf8'), Buffer.from(b[0], 'utf8')))
  const md5 = createHash('md5').update(pairs.map(([p, v]) => `${p}=${v}`).join(',')).digest('hex')
  return md5 === hint.checksum ? [] : [`_last_checkpoint checksum ${String(hint.checksum)}, its canonical form hashes to ${md5}`]
}

/**
 * A multi-part checkpoint (PROTOCOL.md, Multi-part checkpoint, Last Checkpoint File): every part
 * `<v>.checkpoint.<i>.<n>.parquet` is there, the table does not support v2 checkpoints, the
 * parts together hold one protocol and one metaData and add each file once, and
 * `_last_checkpoint`'s size, sizeInBytes and numOfAddFiles count all parts.
 */
async function checkMultiPartCheckpoint(log: string, hint: Obj, protocol: Obj, checkFileRows: (name: string, rows: Row[]) => string[]): Promise<string[]> {
  const problems: string[] = []
  if (((protocol.writerFeatures as string[] | undefined) ?? []).includes('v2Checkpoint')) problems.push('a multi-part checkpoint on a table that supports v2 checkpoints')
  const parts = Number(hint.parts)
  const pad = (n: number, width: number): string => String(n).padStart(width, '0')
  let size = 0
  let bytes = 0
  const counts = { protocol: 0, metaData: 0 }
  const added = new Set<string>()
  for (let i = 1; i <= parts; i++) {
    const name = `${pad(Number(hint.version), 20)}.checkpoint.${pad(i, 10)}.${pad(parts, 10)}.parquet`
    const file = join(log, name)
    if (!existsSync(file)) {
      problems.push(`_last_checkpoint names a ${parts}-part checkpoint, but ${name} is absent`)
      continue
    }
    const rows = (await readParquetRows(file)) as Row[]
    size += rows.length
    bytes += statSync(file).size
    for (const r of rows) {
      if (r.protocol) counts.protocol++
      if (r.metaData) counts.metaData++
      if (r.add) {
        const dv = r.add.deletionVector as Obj | null | undefined
        const key = `${String(r.add.path)} ${dv ? `${String(dv.storageType)}${String(dv.pathOrInlineDv)}@${String(dv.offset)}` : ''}`
        if (added.has(key)) problems.push(`${name}: ${String(r.add.path)} is added twice in the checkpoint`)
        added.add(key)
      }
    }
    problems.push(...checkFileRows(name, rows))
  }
  for (const [kind, n] of Object.entries(counts)) if (n !== 1) problems.push(`the multi-part checkpoint holds ${n} ${kind} actions`)
  if (hint.size !== undefined && hint.size !== size) problems.push(`_last_checkpoint size ${String(hint.size)}, the parts hold ${size} actions`)
  if (hint.sizeInBytes !== undefined && hint.sizeInBytes !== bytes) problems.push(`_last_checkpoint sizeInBytes ${String(hint.sizeInBytes)}, the parts have ${bytes} bytes`)
  if (hint.numOfAddFiles !== undefined && hint.numOfAddFiles !== added.size) problems.push(`_last_checkpoint numOfAddFiles ${String(hint.numOfAddFiles)}, the parts add ${added.size} files`)
  return problems
}

async function readParquetRows(file: string, columns?: string[]): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(file)
  return parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), ...(columns && { columns }) })
}

function checkAdds(name: string, rows: Row[], columns: Field[], keys: string[], physical: (f: Field) => string): string[] {
  const problems: string[] = []
  for (const [i, row] of rows.entries()) {
    if (!row.add) continue
    const values = row.add.partitionValues
    // hyparquet reads a map as an object (or as a list of key/value entries).
    const asObject: Json = Array.isArray(values) ? Object.fromEntries((values as Obj[]).map((e) => [String(e.key), e.value ?? null])) : (values ?? null)
    problems.push(...checkPartitionValues(`${name} row ${i} add`, asObject, columns, keys, physical))
  }
  return problems
}

const V2_NAME = /^(\d{20})\.checkpoint\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(json|parquet)$/

/**
 * A v2 checkpoint (PROTOCOL.md, V2 Spec, Sidecar Files, Last Checkpoint File): the table supports
 * v2Checkpoint; the UUID-named top-level file holds exactly one checkpointMetadata of its version,
 * one protocol and metaData, and either all the file actions or none (then every one is in the
 * sidecars it names, which live in _delta_log/_sidecars, hold only add and remove, and have the
 * size their action says); _last_checkpoint's counts match.
 */
async function checkV2Checkpoint(log: string, hint: Obj, protocol: Obj, checkFileRows: (name: string, rows: Row[]) => string[]): Promise<string[]> {
  const problems: string[] = []
  const features = (k: string) => (protocol[k] as string[] | undefined) ?? []
  if (Number(protocol.minReaderVersion) !== 3 || Number(protocol.minWriterVersion) !== 7 || !features('readerFeatures').includes('v2Checkpoint') || !features('writerFeatures').includes('v2Checkpoint')) {
    problems.push('a v2 checkpoint on a table without the v2Checkpoint reader and writer feature')
  }
  const v2 = hint.v2Checkpoint as Obj
  const name = String(v2.path)
  const m = V2_NAME.exec(name)
  if (!m || Number(m[1]) !== hint.version) return [...problems, `_last_checkpoint names ${name}, not a UUID-named checkpoint of version ${String(hint.version)}`]
  const file = join(log, name)
  if (!existsSync(file)) return [...problems, `_last_checkpoint names ${name}, which is absent`]
  if (v2.sizeInBytes !== statSync(file).size) problems.push(`_last_checkpoint v2Checkpoint.sizeInBytes ${String(v2.sizeInBytes)} for a ${statSync(file).size}-byte file`)
  const rows: Row[] = m[2] === 'json'
    ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Row)
    : ((await readParquetRows(file)) as Row[])
  const count = (kind: string): Obj[] => rows.flatMap((r) => (r[kind] ? [r[kind]] : []))
  const header = count('checkpointMetadata')
  if (header.length !== 1 || Number(header[0]!.version) !== hint.version) problems.push(`${name}: wants exactly one checkpointMetadata of version ${String(hint.version)}, has ${JSON.stringify(header, big)}`)
  for (const once of ['protocol', 'metaData']) if (count(once).length !== 1) problems.push(`${name}: ${count(once).length} ${once} actions`)
  const sidecars = count('sidecar')
  const inline = count('add').length + count('remove').length
  if (sidecars.length > 0 && inline > 0) problems.push(`${name}: file actions both inline and in sidecars`)
  problems.push(...checkFileRows(name, rows))
  let size = rows.length
  let bytes = statSync(file).size
  let adds = count('add').length
  for (const s of sidecars) {
    const sidecarName = decodeURIComponent(String(s.path))
    const where = join(log, '_sidecars', sidecarName)
    if (sidecarName.includes('/') || !sidecarName.endsWith('.parquet') || !existsSync(where)) {
      problems.push(`${name}: sidecar ${String(s.path)} is not a Parquet file in _delta_log/_sidecars`)
      continue
    }
    if (Number(s.sizeInBytes) !== statSync(where).size) problems.push(`sidecar ${sidecarName}: sizeInBytes ${String(s.sizeInBytes)} for a ${statSync(where).size}-byte file`)
    if (!Number.isSafeInteger(Number(s.modificationTime))) problems.push(`sidecar ${sidecarName}: no modificationTime`)
    const sidecarRows = (await readParquetRows(where)) as Row[]
    for (const r of sidecarRows) {
      const kinds = Object.keys(r).filter((k) => r[k])
      if (kinds.length !== 1 || (kinds[0] !== 'add' && kinds[0] !== 'remove')) problems.push(`sidecar ${sidecarName}: a row holding ${JSON.stringify(kinds)}, not one add or remove`)
    }
    problems.push(...checkFileRows(`sidecar ${sidecarName}`, sidecarRows))
    size += sidecarRows.length
    bytes += statSync(where).size
    adds += sidecarRows.filter((r) => r.add).length
  }
  if (hint.size !== undefined && hint.size !== size) problems.push(`_last_checkpoint size ${String(hint.size)}, the checkpoint holds ${size} actions`)
  if (hint.sizeInBytes !== undefined && hint.sizeInBytes !== bytes) problems.push(`_last_checkpoint sizeInBytes ${String(hint.sizeInBytes)}, the checkpoint and its sidecars have ${bytes} bytes`)
  if (hint.numOfAddFiles !== undefined && hint.numOfAddFiles !== adds) problems.push(`_last_checkpoint numOfAddFiles ${String(hint.numOfAddFiles)}, the checkpoint adds ${adds} files`)
  return problems
}

function big(_: string, v: unknown): unknown {
  return typeof v === 'bigint' ? String(v) : v
}
