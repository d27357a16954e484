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

/**
 * The key that tells file actions apart in replay: the canonical path (see
 * {@link canonicalPath}) plus the deletion vector id.
 */
export function fileActionKey(path: string, dv: DeletionVectorDescriptor | null | undefined): string {
  return canonicalFileKey(canonicalPath(path), dv)
}

/** {@link fileActionKey} of a path already made canonical. */
export function canonicalFileKey(canonical: string, dv: DeletionVectorDescriptor | null | undefined): string {
  return dv ? `${canonical}\u0000${deletionVectorId(dv)}` : canonical
}

/**
 * One spelling for every way the log may write one file's path, so that a remove cancels its
 * add whichever spelling each writer used (Spark compares paths the same way, as decoded URIs):
 * - percent-encoding is decoded once, as reading the file does (`a%2Db` and `a-b`, `a%20b` and
 *   `a b` are one file); a path that is not valid encoding is kept as written (reading it fails);
 * - the forms of an absolute local path (`/x`, `file:/x`, `file:///x`, `file://localhost/x`)
 *   become `/x`.
 * Most paths hold no `%` and no scheme and are returned as they are, at no cost.
 */
export function canonicalPath(path: string): string {
  const p = path.startsWith('file:') ? localFilePath(path.slice(5)) : path
  if (!p.includes('%')) return p
  try {
    return decodeURIComponent(p)
  } catch {
    return p
  }
}

/** The path of a `file:` URI after its scheme: an empty or `localhost` authority is dropped. */
function localFilePath(rest: string): string {
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2)
    const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash)
    if (host !== '' && host.toLowerCase() !== 'localhost') return rest
    return slash < 0 ? '/' : rest.slice(slash)
  }
  return `/${rest.replace(/^\/+/, '')}`
}

/** The unique id of a deletion vector, as the protocol defines it. */
export function deletionVectorId(dv: DeletionVectorDescriptor): string {
  return `${dv.storageType}${dv.pathOrInlineDv}${dv.offset != null ? `@${dv.offset}` : ''}`
}
