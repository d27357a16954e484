import type { MetadataAction, ProtocolAction } from '../model/actions.js'
import { DeltaError } from '../engine/errors.js'
import { columnMappingMode } from './column-mapping.js'

/** Reader features this library reads exactly. */
export const SUPPORTED_READER_FEATURES: ReadonlySet<string> = new Set([
  'columnMapping',
  'deletionVectors',
  'timestampNtz',
  'v2Checkpoint',
  'vacuumProtocolCheck',
  'typeWidening',
  'typeWidening-preview',
])

/** The highest reader version this library reads. */
export const MAX_READER_VERSION = 3

/**
 * Refuse a table this reader cannot read exactly, naming what is missing: a reader version
 * above 3, any reader feature not in SUPPORTED_READER_FEATURES, or an unknown column mapping
 * mode in `metadata`. A protocol at reader version 3 without its `readerFeatures` list is
 * `InvalidLog`.
 */
export function checkReadSupported(protocol: ProtocolAction, metadata?: MetadataAction): void {
  const v = protocol.minReaderVersion
  if (!Number.isInteger(v) || v < 1 || v > MAX_READER_VERSION) {
    throw new DeltaError('UnsupportedFeature', `the table needs reader version ${v}; this library reads versions 1 to ${MAX_READER_VERSION}`)
  }
  if (v === 3) {
    // PROTOCOL.md: at reader version 3 the list must exist; without it the reader features the
    // table relies on are unknown, and reading as if there were none would be a guess.
    if (!protocol.readerFeatures) {
      throw new DeltaError('InvalidLog', 'the table\'s protocol is at reader version 3 but lists no readerFeatures, as the protocol requires; the log is damaged or its writer broke the protocol')
    }
    const missing = protocol.readerFeatures.filter((f) => !SUPPORTED_READER_FEATURES.has(f))
    if (missing.length > 0) {
      throw new DeltaError('UnsupportedFeature', `the table uses reader feature${missing.length > 1 ? 's' : ''} ${missing.map((f) => `'${f}'`).join(', ')}, which this library cannot read`)
    }
  }
  if (metadata) columnMappingMode(metadata)
}
