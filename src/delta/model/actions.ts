import { DeltaError } from '../engine/errors.js'

/** The versions and features a table demands of readers and writers. */
export interface ProtocolAction {
  kind: 'protocol'
  minReaderVersion: number
  minWriterVersion: number
  readerFeatures?: string[]
  writerFeatures?: string[]
}

/** Table identity, schema, partitioning and properties. */
export interface MetadataAction {
  kind: 'metaData'
  id: string
  name?: string | null
  description?: string | null
  format: { provider: string; options: Record<string, string> }
  schemaString: string
  partitionColumns: string[]
  configuration: Record<string, string>
  createdTime?: number | null
}

/** Where a deletion vector lives: `u` (relative UUID path), `p` (absolute path), `i` (inline). */
export interface DeletionVectorDescriptor {
  storageType: 'u' | 'p' | 'i'
  pathOrInlineDv: string
  offset?: number | null
  sizeInBytes: number
  cardinality: number
  maxRowIndex?: number | null
}

/** A data file that joins the table. `path` is as written in the log (URL-encoded). */
export interface AddAction {
  kind: 'add'
  path: string
  partitionValues: Record<string, string | null>
  size: number
  modificationTime: number
  dataChange: boolean
  /**
   * Statistics as a JSON string, parsed lazily. An add read from a Parquet checkpoint reads it
   * through a getter from the decoded column, so object spread and structured clone drop it:
   * copy such an action with `plainAdd`.
   */
  stats?: string | null
  /** Statistics already in struct form (checkpoint `stats_parsed`). */
  statsParsed?: Record<string, unknown> | null
  tags?: Record<string, string | null> | null
  deletionVector?: DeletionVectorDescriptor | null
  baseRowId?: number | null
  defaultRowCommitVersion?: number | null
  clusteringProvider?: string | null
}

/** A data file that leaves the table (a tombstone). */
export interface RemoveAction {
  kind: 'remove'
  path: string
  deletionTimestamp?: number | null
  dataChange: boolean
  extendedFileMetadata?: boolean | null
  partitionValues?: Record<string, string | null> | null
  size?: number | null
  stats?: string | null
  tags?: Record<string, string | null> | null
  deletionVector?: DeletionVectorDescriptor | null
  baseRowId?: number | null
  defaultRowCommitVersion?: number | null
}

/** A change data file of the change data feed. */
export interface CdcAction {
  kind: 'cdc'
  path: string
  partitionValues: Record<string, string | null>
  size: number
  dataChange: boolean
  tags?: Record<string, string | null> | null
}

/** The latest version an application committed, for idempotent writes. */
export interface TxnAction {
  kind: 'txn'
  appId: string
  version: number
  lastUpdated?: number | null
}

/** Free-form provenance of a commit; `inCommitTimestamp` lives here when enabled. */
export interface CommitInfoAction {
  kind: 'commitInfo'
  info: Record<string, unknown>
}

/** Named configuration a feature keeps in the log. */
export interface DomainMetadataAction {
  kind: 'domainMetadata'
  domain: string
  configuration: string
  removed: boolean
}

/** A file of a v2 checkpoint's actions, under `_delta_log/_sidecars/`. */
export interface SidecarAction {
  kind: 'sidecar'
  path: string
  sizeInBytes: number
  modificationTime: number
  tags?: Record<string, string | null> | null
}

/** The header of a v2 checkpoint. */
export interface CheckpointMetadataAction {
  kind: 'checkpointMetadata'
  version: number
  tags?: Record<string, string | null> | null
}

/** Any action of the log, after parsing. */
export type Action =
  | ProtocolAction
  | MetadataAction
  | AddAction
  | RemoveAction
  | CdcAction
  | TxnAction
  | CommitInfoAction
  | DomainMetadataAction
  | SidecarAction
  | CheckpointMetadataAction

/** Action kinds, as the keys of the log's JSON objects. */
export type ActionKind = Action['kind']

type Json = Record<string, unknown>

/**
 * Parse one action object (a JSON line of a commit, or a row of a checkpoint converted to plain
 * values). Returns undefined for an object that holds no known action (future action types are
 * ignored, as the protocol asks). `file` names the source in errors.
 */
export function parseAction(obj: unknown, file: string): Action | undefined {
  if (!obj || typeof obj !== 'object') throw invalidLog(file, 'a line is not a JSON object')
  const o = obj as Json
  for (const key of Object.keys(o)) {
    const v = o[key]
    if (v === null || v === undefined) continue
    switch (key) {
      case 'add': return parseAdd(v as Json, file)
      case 'remove': return parseRemove(v as Json, file)
      case 'metaData': return parseMetadata(v as Json, file)
      case 'protocol': return parseProtocol(v as Json, file)
      case 'txn': return parseTxn(v as Json, file)
      case 'commitInfo': return { kind: 'commitInfo', info: v as Json }
      case 'cdc': return parseCdc(v as Json, file)
      case 'domainMetadata': return parseDomainMetadata(v as Json, file)
      case 'sidecar': return parseSidecar(v as Json, file)
      case 'checkpointMetadata': return { kind: 'checkpointMetadata', version: num(v as Json, 'version', file), tags: (v as Json).tags as never }
    }
  }
  return undefined
}

/** Parse every line of a commit file (newline-delimited JSON). */
export function parseCommit(text: string, file: string): Action[] {
  const out: Action[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let obj: unknown
    try {
      obj = JSON.parse(line)
    } catch (e) {
      throw invalidLog(file, `a line is not valid JSON (${String(e)})`, e)
    }
    const a = parseAction(obj, file)
    if (a) out.push(a)
  }
  return out
}

/**
 * A plain-object copy of an add action, every field an own property (lazily read fields, such
 * as a checkpoint add's `stats`, read): what survives JSON and structured clone intact.
 */
export function plainAdd(a: AddAction): AddAction {
  return {
    kind: 'add',
    path: a.path,
    partitionValues: a.partitionValues,
    size: a.size,
    modificationTime: a.modificationTime,
    dataChange: a.dataChange,
    stats: a.stats ?? null,
    statsParsed: a.statsParsed ?? null,
    tags: a.tags ?? null,
    deletionVector: a.deletionVector ?? null,
    baseRowId: a.baseRowId ?? null,
    defaultRowCommitVersion: a.defaultRowCommitVersion ?? null,
    clusteringProvider: a.clusteringProvider ?? null,
  }
}

/** The key that tells file actions apart in replay: path plus deletion vector id. */
export function fileActionKey(path: string, dv: DeletionVectorDescriptor | null | undefined): string {
  const p = canonicalPath(path)
  return dv ? `${p}\u0000${deletionVectorId(dv)}` : p
}

/**
 * One spelling for the forms an absolute local path takes in logs (`/x`, `file:/x`,
 * `file:///x`), so a remove matches its add whichever form each writer used.
 */
export function canonicalPath(path: string): string {
  return path.startsWith('file:') ? `/${path.slice(5).replace(/^\/+/, '')}` : path
}

/** The unique id of a deletion vector, as the protocol defines it. */
export function deletionVectorId(dv: DeletionVectorDescriptor): string {
  return `${dv.storageType}${dv.pathOrInlineDv}${dv.offset != null ? `@${dv.offset}` : ''}`
}

function parseAdd(o: Json, file: string): AddAction {
  return {
    kind: 'add',
    path: str(o, 'path', file),
    partitionValues: stringMap(o.partitionValues, 'add.partitionValues', file) ?? {},
    size: num(o, 'size', file),
    modificationTime: optionalNumber(o.modificationTime) ?? 0,
    dataChange: o.dataChange !== false,
    stats: typeof o.stats === 'string' ? o.stats : null,
    statsParsed: o.stats_parsed && typeof o.stats_parsed === 'object' ? (o.stats_parsed as Json) : null,
    tags: (o.tags as AddAction['tags']) ?? null,
    deletionVector: parseDeletionVector(o.deletionVector, file),
    baseRowId: optionalNumber(o.baseRowId),
    defaultRowCommitVersion: optionalNumber(o.defaultRowCommitVersion),
    clusteringProvider: typeof o.clusteringProvider === 'string' ? o.clusteringProvider : null,
  }
}

function parseRemove(o: Json, file: string): RemoveAction {
  return {
    kind: 'remove',
    path: str(o, 'path', file),
    deletionTimestamp: optionalNumber(o.deletionTimestamp),
    dataChange: o.dataChange !== false,
    extendedFileMetadata: typeof o.extendedFileMetadata === 'boolean' ? o.extendedFileMetadata : null,
    partitionValues: stringMap(o.partitionValues, 'remove.partitionValues', file),
    size: optionalNumber(o.size),
    stats: typeof o.stats === 'string' ? o.stats : null,
    tags: (o.tags as RemoveAction['tags']) ?? null,
    deletionVector: parseDeletionVector(o.deletionVector, file),
    baseRowId: optionalNumber(o.baseRowId),
    defaultRowCommitVersion: optionalNumber(o.defaultRowCommitVersion),
  }
}

function parseMetadata(o: Json, file: string): MetadataAction {
  const format = (o.format ?? {}) as Json
  const partitionColumns = o.partitionColumns ?? []
  if (!Array.isArray(partitionColumns)) throw invalidLog(file, 'metaData.partitionColumns is not a list')
  return {
    kind: 'metaData',
    id: str(o, 'id', file),
    name: typeof o.name === 'string' ? o.name : null,
    description: typeof o.description === 'string' ? o.description : null,
    format: {
      provider: typeof format.provider === 'string' ? format.provider : 'parquet',
      options: (stringMap(format.options, 'format.options', file) ?? {}) as Record<string, string>,
    },
    // Spark reads a missing schema as an empty struct; so do we.
    schemaString: typeof o.schemaString === 'string' ? o.schemaString : '{"type":"struct","fields":[]}',
    partitionColumns: partitionColumns.map(String),
    configuration: (stringMap(o.configuration, 'configuration', file) ?? {}) as Record<string, string>,
    createdTime: optionalNumber(o.createdTime),
  }
}

function parseProtocol(o: Json, file: string): ProtocolAction {
  const p: ProtocolAction = {
    kind: 'protocol',
    minReaderVersion: num(o, 'minReaderVersion', file),
    minWriterVersion: num(o, 'minWriterVersion', file),
  }
  if (Array.isArray(o.readerFeatures)) p.readerFeatures = o.readerFeatures.map(String)
  if (Array.isArray(o.writerFeatures)) p.writerFeatures = o.writerFeatures.map(String)
  return p
}

function parseTxn(o: Json, file: string): TxnAction {
  return { kind: 'txn', appId: str(o, 'appId', file), version: num(o, 'version', file), lastUpdated: optionalNumber(o.lastUpdated) }
}

function parseCdc(o: Json, file: string): CdcAction {
  return {
    kind: 'cdc',
    path: str(o, 'path', file),
    partitionValues: stringMap(o.partitionValues, 'cdc.partitionValues', file) ?? {},
    size: optionalNumber(o.size) ?? 0,
    dataChange: o.dataChange === true,
    tags: (o.tags as CdcAction['tags']) ?? null,
  }
}

function parseDomainMetadata(o: Json, file: string): DomainMetadataAction {
  return {
    kind: 'domainMetadata',
    domain: str(o, 'domain', file),
    configuration: typeof o.configuration === 'string' ? o.configuration : '',
    removed: o.removed === true,
  }
}

function parseSidecar(o: Json, file: string): SidecarAction {
  return {
    kind: 'sidecar',
    path: str(o, 'path', file),
    sizeInBytes: optionalNumber(o.sizeInBytes) ?? 0,
    modificationTime: optionalNumber(o.modificationTime) ?? 0,
    tags: (o.tags as SidecarAction['tags']) ?? null,
  }
}

/** A deletion vector descriptor from its plain object form; null for null. */
export function parseDeletionVector(v: unknown, file: string): DeletionVectorDescriptor | null {
  if (v === null || v === undefined) return null
  const o = v as Json
  const storageType = o.storageType
  if (storageType !== 'u' && storageType !== 'p' && storageType !== 'i') {
    throw invalidLog(file, `unknown deletion vector storage type ${JSON.stringify(storageType)}`)
  }
  return {
    storageType,
    pathOrInlineDv: str(o, 'pathOrInlineDv', file),
    offset: optionalNumber(o.offset),
    sizeInBytes: num(o, 'sizeInBytes', file),
    cardinality: num(o, 'cardinality', file),
    maxRowIndex: optionalNumber(o.maxRowIndex),
  }
}

function str(o: Json, key: string, file: string): string {
  const v = o[key]
  if (typeof v !== 'string') throw invalidLog(file, `field '${key}' is missing or not a string`)
  return v
}

function num(o: Json, key: string, file: string): number {
  const v = optionalNumber(o[key])
  if (v === null) throw invalidLog(file, `field '${key}' is missing or not a number`)
  return v
}

/** A number field of a parsed action (a bigint from a checkpoint becomes a number), or null. */
export function optionalNumber(v: unknown): number | null {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  return null
}

/**
 * A string map field of a parsed action, values made strings as the log's JSON has them; null
 * for a missing map. `what` names the field in errors.
 */
export function stringMap(v: unknown, what: string, file: string): Record<string, string | null> | null {
  if (v === null || v === undefined) return null
  if (typeof v !== 'object') throw invalidLog(file, `${what} is not an object`)
  const out: Record<string, string | null> = {}
  for (const [k, x] of Object.entries(v as Json)) out[k] = x === null || x === undefined ? null : String(x)
  return out
}

/** The error for a log file that does not follow the protocol. */
export function invalidLog(file: string, why: string, cause?: unknown): DeltaError {
  return new DeltaError('InvalidLog', `${file}: ${why}`, { cause })
}
