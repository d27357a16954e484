import type { Action, MetadataAction, ProtocolAction } from '../model/actions.js'
import { DeltaError } from '../engine/errors.js'
import { checkReadSupported } from './reader.js'

/**
 * Writer features this library honours when it writes. Notes on the less obvious ones:
 * - `deletionVectors`: appends and copy-on-write rewrites never write deletion vectors, and a
 *   rewritten file's remove carries its descriptor, so DV tables can be written safely;
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

/**
 * On a table with `delta.appendOnly = true`, refuse a commit that removes data (a `remove` with
 * `dataChange` true). Rearranging data (`dataChange` false, as compaction does) stays allowed.
 */
export function checkAppendOnly(configuration: Readonly<Record<string, string>>, actions: readonly Action[]): void {
  if (String(configuration['delta.appendOnly'] ?? '').toLowerCase() !== 'true') return
  const removed = actions.filter((a) => a.kind === 'remove' && a.dataChange)
  if (removed.length === 0) return
  throw new DeltaError(
    'InvalidArgument',
    `the table is append-only (delta.appendOnly = true), but this commit would remove data from ${removed.length} file${removed.length === 1 ? '' : 's'}; ` +
      "only appends are allowed. Set the table property delta.appendOnly to 'false' to delete, update or overwrite",
  )
}
