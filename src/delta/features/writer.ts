import type { MetadataAction, ProtocolAction } from '../model/actions.js'
import { DeltaError } from '../engine/errors.js'
import { checkReadSupported } from './reader.js'
import { APPEND_ONLY_KEY, booleanProperty } from './table-config.js'

/**
 * Writer features this library honours when it writes. Notes on the less obvious ones:
 * - `deletionVectors`: deletes mark rows in deletion vectors when the table enables them
 *   (`delta.enableDeletionVectors`); appends and copy-on-write rewrites write none, and a
 *   rewritten file's remove carries its descriptor;
 * - `v2Checkpoint`: the protocol allows classic single-file checkpoints (V1 or V2 spec) on such
 *   tables; our checkpoint writer must never write multi-part ones there;
 * - `domainMetadata`, `vacuumProtocolCheck`: we write no domains and our vacuum checks the
 *   protocol; checkpoints must carry domainMetadata actions;
 * - `inCommitTimestamp`: every commit must stamp commitInfo first (see `commitTransaction`).
 * Not here, so refused: rowTracking, clustering, allowColumnDefaults, icebergCompatV1/V2,
 * variantType, catalogManaged and anything newer.
 */
export const SUPPORTED_WRITER_FEATURES: ReadonlySet<string> = new Set([
  'appendOnly', 'invariants', 'checkConstraints', 'generatedColumns', 'changeDataFeed', 'columnMapping', 'identityColumns',
  'timestampNtz', 'inCommitTimestamp', 'typeWidening', 'typeWidening-preview', 'domainMetadata', 'vacuumProtocolCheck',
  'deletionVectors', 'v2Checkpoint',
])

/** The highest writer version this library writes. */
export const MAX_WRITER_VERSION = 7

/**
 * Refuse to write a table this library cannot write correctly, naming every reason: a writer
 * version above 7, any writer feature not in `SUPPORTED_WRITER_FEATURES`, or anything that stops
 * it being read (writers read first). Legacy versions 1 to 6 only imply features we implement.
 */
export function checkWriteSupported(protocol: ProtocolAction, metadata?: MetadataAction): void {
  const v = protocol.minWriterVersion
  if (!Number.isInteger(v) || v < 1 || v > MAX_WRITER_VERSION) {
    throw new DeltaError('UnsupportedFeature', `the table needs writer version ${v}; this library writes versions 1 to ${MAX_WRITER_VERSION}`)
  }
  checkReadSupported(protocol, metadata)
  if (v < 7) return
  const missing = (protocol.writerFeatures ?? []).filter((f) => !SUPPORTED_WRITER_FEATURES.has(f))
  if (missing.length > 0) {
    const list = missing.map((f) => `'${f}'`).join(', ')
    throw new DeltaError('UnsupportedFeature', `the table uses writer feature${missing.length > 1 ? 's' : ''} ${list}, which this library cannot write; it can still read the table`)
  }
}

/** The protocol and metadata of a table, as the append-only rule needs them. */
interface TableState {
  protocol: ProtocolAction
  metadata: MetadataAction
}

/**
 * The append-only rule of PROTOCOL.md: on a table whose protocol supports `appendOnly` (writer
 * 2 to 6, or 7 listing the feature) and that sets `delta.appendOnly = true`, no commit may remove
 * data (a `remove` with `dataChange` true); rearranging files (compaction) stays allowed. Every
 * operation meets this one check through its transaction. `files` is how many files the commit
 * would remove, or undefined when the operation removes rows by nature.
 */
export function checkAppendOnly(table: TableState | undefined, files: number | undefined): void {
  if (!table || !isAppendOnly(table)) return
  const what = files === undefined ? 'this operation would remove data' : `this commit would remove data from ${files} file${files === 1 ? '' : 's'}`
  throw new DeltaError(
    'InvalidArgument',
    `the table is append-only (delta.appendOnly = true), but ${what}; only appends are allowed. ` +
      "Set the table property delta.appendOnly to 'false' to delete, update or overwrite",
  )
}

function isAppendOnly(table: TableState): boolean {
  if (!booleanProperty(table.metadata.configuration, APPEND_ONLY_KEY)) return false
  const v = table.protocol.minWriterVersion
  return v >= 2 && (v < 7 || (table.protocol.writerFeatures ?? []).includes('appendOnly'))
}
