import type {
  Action, ActionKind, AddAction, CdcAction, CheckpointMetadataAction, CommitInfoAction, DeletionVectorDescriptor,
  DomainMetadataAction, MetadataAction, ProtocolAction, RemoveAction, SidecarAction, TxnAction,
} from './action-types.js'
import { FieldReader, isObject, type Json } from './action-fields.js'
import { invalidLog, type LogLocation } from './log-location.js'
import { checkPartitionColumns, parseSchema, type StructType } from './schema.js'
import { isDeltaError } from '../engine/errors.js'

/**
 * The one validator of the log's actions, after PROTOCOL.md's action schemas: every action of a
 * commit, of a JSON checkpoint and every non-add row of a Parquet checkpoint is read here (a
 * Parquet checkpoint's adds, read column by column, go through the same {@link FieldReader}
 * checks in `files/add-columns.ts` and `files/keep-rows.ts`), so a field the protocol requires is present with its type
 * wherever it is read. A wrong or missing field is `InvalidLog` naming the file and line (or
 * row), never a default: a default would be a guess. Fields the protocol does not know are
 * ignored, as it asks of readers.
 */
const PARSERS: { [K in ActionKind]: (body: Json, f: FieldReader) => Extract<Action, { kind: K }> } = {
  add: parseAdd,
  remove: parseRemove,
  metaData: parseMetadata,
  protocol: parseProtocol,
  txn: parseTxn,
  commitInfo: parseCommitInfo,
  cdc: parseCdc,
  domainMetadata: parseDomainMetadata,
  sidecar: parseSidecar,
  checkpointMetadata: parseCheckpointMetadata,
}

/** Whether `key` names an action this reader knows. */
export function isActionKind(key: string): key is ActionKind {
  return Object.hasOwn(PARSERS, key)
}

/**
 * Parse one line of a commit or JSON checkpoint, already parsed as JSON: an object holding one
 * action under its kind's key. Keys of actions this reader does not know are ignored (future
 * actions, as the protocol asks), so a line of only such keys gives undefined. A line that is not
 * an object, is an empty object, holds two known actions, or a known action that is not an
 * object is `InvalidLog`.
 */
export function parseAction(obj: unknown, at: LogLocation | string): Action | undefined {
  const where = typeof at === 'string' ? { file: at } : at
  if (!isObject(obj)) throw invalidLog(where, 'the line is not a JSON object')
  let kind: ActionKind | undefined
  let keys = 0
  for (const key in obj) {
    keys++
    if (!isActionKind(key)) continue
    if (kind !== undefined) throw invalidLog(where, `the line holds two actions, '${kind}' and '${key}'; each line holds one`)
    kind = key
  }
  // Unknown keys are future actions; an object with no key at all is no action of any version.
  if (keys === 0) throw invalidLog(where, 'the line is an empty object; each line holds one action')
  return kind === undefined ? undefined : parseActionOf(kind, obj[kind], where)
}

/**
 * Parse the body of an action of a known kind (a checkpoint row's non-null struct, or the value
 * of a line's action key). A body that is not an object is `InvalidLog`.
 */
export function parseActionOf<K extends ActionKind>(kind: K, body: unknown, at: LogLocation): Extract<Action, { kind: K }> {
  const f = new FieldReader(at)
  return PARSERS[kind](f.object(body, '', kind), f) as Extract<Action, { kind: K }>
}

function parseAdd(o: Json, f: FieldReader): AddAction {
  return {
    kind: 'add',
    path: f.filePath(o.path, 'add', 'path'),
    partitionValues: f.stringMap(o.partitionValues, 'add', 'partitionValues'),
    size: f.long(o.size, 'add', 'size', 0),
    modificationTime: f.long(o.modificationTime, 'add', 'modificationTime'),
    dataChange: f.boolean(o.dataChange, 'add', 'dataChange'),
    stats: f.optionalString(o.stats, 'add', 'stats'),
    statsParsed: f.optionalObject(o.stats_parsed, 'add', 'stats_parsed'),
    tags: f.optionalStringMap(o.tags, 'add', 'tags'),
    deletionVector: parseDeletionVector(o.deletionVector, f, 'add'),
    baseRowId: f.optionalLong(o.baseRowId, 'add', 'baseRowId', 0),
    defaultRowCommitVersion: f.optionalLong(o.defaultRowCommitVersion, 'add', 'defaultRowCommitVersion', 0),
    clusteringProvider: f.optionalString(o.clusteringProvider, 'add', 'clusteringProvider'),
  }
}

function parseRemove(o: Json, f: FieldReader): RemoveAction {
  return {
    kind: 'remove',
    path: f.filePath(o.path, 'remove', 'path'),
    deletionTimestamp: f.optionalLong(o.deletionTimestamp, 'remove', 'deletionTimestamp'),
    dataChange: f.boolean(o.dataChange, 'remove', 'dataChange'),
    extendedFileMetadata: f.optionalBoolean(o.extendedFileMetadata, 'remove', 'extendedFileMetadata'),
    partitionValues: f.optionalStringMap(o.partitionValues, 'remove', 'partitionValues'),
    size: f.optionalLong(o.size, 'remove', 'size', 0),
    stats: f.optionalString(o.stats, 'remove', 'stats'),
    tags: f.optionalStringMap(o.tags, 'remove', 'tags'),
    deletionVector: parseDeletionVector(o.deletionVector, f, 'remove'),
    baseRowId: f.optionalLong(o.baseRowId, 'remove', 'baseRowId', 0),
    defaultRowCommitVersion: f.optionalLong(o.defaultRowCommitVersion, 'remove', 'defaultRowCommitVersion', 0),
  }
}

// Spark reads a metaData without schemaString as a table of no columns (real tables of the
// conformance corpus have one); any schemaString present must be a valid schema.
const EMPTY_SCHEMA = '{"type":"struct","fields":[]}'

function parseMetadata(o: Json, f: FieldReader): MetadataAction {
  const format = f.object(o.format, 'metaData', 'format')
  const schemaString = o.schemaString === undefined || o.schemaString === null ? EMPTY_SCHEMA : f.string(o.schemaString, 'metaData', 'schemaString')
  const partitionColumns = f.stringList(o.partitionColumns, 'metaData', 'partitionColumns')
  const schema = checkedSchema(schemaString, f)
  if (schema) {
    const why = checkPartitionColumns(schema, partitionColumns)
    if (why) throw invalidLog(f.at, `metaData.partitionColumns ${why}`)
  }
  return {
    kind: 'metaData',
    id: f.string(o.id, 'metaData', 'id'),
    name: f.optionalString(o.name, 'metaData', 'name'),
    description: f.optionalString(o.description, 'metaData', 'description'),
    format: {
      provider: f.string(format.provider, 'metaData.format', 'provider'),
      options: withoutNulls(f.optionalStringMap(format.options, 'metaData.format', 'options') ?? {}),
    },
    schemaString,
    partitionColumns,
    configuration: withoutNulls(f.stringMap(o.configuration, 'metaData', 'configuration')),
    createdTime: f.optionalLong(o.createdTime, 'metaData', 'createdTime'),
  }
}

/**
 * The schema of a metaData action, or undefined when it uses a type this reader does not know:
 * that is refused (`UnsupportedFeature`) only if the metaData is the one a snapshot reads.
 */
function checkedSchema(schemaString: string, f: FieldReader): StructType | undefined {
  try {
    return parseSchema(schemaString)
  } catch (e) {
    if (isDeltaError(e, 'UnsupportedFeature')) return undefined
    throw invalidLog(f.at, `metaData.schemaString is not a valid schema: ${e instanceof Error ? e.message : String(e)}`, e)
  }
}

/** A string map without its null values (delta-rs writes configuration values as optional). */
function withoutNulls(m: Record<string, string | null>): Record<string, string> {
  for (const k in m) {
    if (m[k] === null) return Object.fromEntries(Object.entries(m).filter((e): e is [string, string] => e[1] !== null))
  }
  return m as Record<string, string>
}

function parseProtocol(o: Json, f: FieldReader): ProtocolAction {
  const p: ProtocolAction = {
    kind: 'protocol',
    minReaderVersion: f.long(o.minReaderVersion, 'protocol', 'minReaderVersion', 1),
    minWriterVersion: f.long(o.minWriterVersion, 'protocol', 'minWriterVersion', 1),
  }
  const readerFeatures = f.optionalStringList(o.readerFeatures, 'protocol', 'readerFeatures')
  const writerFeatures = f.optionalStringList(o.writerFeatures, 'protocol', 'writerFeatures')
  if (readerFeatures) p.readerFeatures = readerFeatures
  if (writerFeatures) p.writerFeatures = writerFeatures
  return p
}

// Free-form, as the protocol allows, but for the in-commit timestamp a reader orders versions by.
function parseCommitInfo(o: Json, f: FieldReader): CommitInfoAction {
  f.optionalLong(o.inCommitTimestamp, 'commitInfo', 'inCommitTimestamp')
  return { kind: 'commitInfo', info: o }
}

function parseTxn(o: Json, f: FieldReader): TxnAction {
  return {
    kind: 'txn',
    appId: f.string(o.appId, 'txn', 'appId'),
    version: f.long(o.version, 'txn', 'version'),
    lastUpdated: f.optionalLong(o.lastUpdated, 'txn', 'lastUpdated'),
  }
}

function parseCdc(o: Json, f: FieldReader): CdcAction {
  return {
    kind: 'cdc',
    path: f.filePath(o.path, 'cdc', 'path'),
    partitionValues: f.stringMap(o.partitionValues, 'cdc', 'partitionValues'),
    size: f.long(o.size, 'cdc', 'size', 0),
    dataChange: f.boolean(o.dataChange, 'cdc', 'dataChange'),
    tags: f.optionalStringMap(o.tags, 'cdc', 'tags'),
  }
}

function parseDomainMetadata(o: Json, f: FieldReader): DomainMetadataAction {
  return {
    kind: 'domainMetadata',
    domain: f.string(o.domain, 'domainMetadata', 'domain', true),
    configuration: f.string(o.configuration, 'domainMetadata', 'configuration'),
    removed: f.boolean(o.removed, 'domainMetadata', 'removed'),
  }
}

function parseSidecar(o: Json, f: FieldReader): SidecarAction {
  return {
    kind: 'sidecar',
    path: f.string(o.path, 'sidecar', 'path', true),
    sizeInBytes: f.long(o.sizeInBytes, 'sidecar', 'sizeInBytes', 0),
    modificationTime: f.long(o.modificationTime, 'sidecar', 'modificationTime'),
    tags: f.optionalStringMap(o.tags, 'sidecar', 'tags'),
  }
}

function parseCheckpointMetadata(o: Json, f: FieldReader): CheckpointMetadataAction {
  return {
    kind: 'checkpointMetadata',
    version: f.long(o.version, 'checkpointMetadata', 'version', 0),
    tags: f.optionalStringMap(o.tags, 'checkpointMetadata', 'tags'),
  }
}

/**
 * A deletion vector descriptor from its plain object form (null for null or absent), checked
 * against the protocol's DeletionVectorDescriptor schema. `action` names the owner in messages.
 */
export function parseDeletionVector(v: unknown, f: FieldReader, action: string): DeletionVectorDescriptor | null {
  if (v === null || v === undefined) return null
  const owner = `${action}.deletionVector`
  const o = f.object(v, action, 'deletionVector')
  const storageType = o.storageType
  if (storageType !== 'u' && storageType !== 'p' && storageType !== 'i') f.fail(owner, 'storageType', "one of 'u', 'p' or 'i'", storageType)
  return {
    storageType,
    pathOrInlineDv: f.string(o.pathOrInlineDv, owner, 'pathOrInlineDv', true),
    offset: f.optionalLong(o.offset, owner, 'offset', 0),
    sizeInBytes: f.long(o.sizeInBytes, owner, 'sizeInBytes', 0),
    cardinality: f.long(o.cardinality, owner, 'cardinality', 0),
    maxRowIndex: f.optionalLong(o.maxRowIndex, owner, 'maxRowIndex', 0),
  }
}
