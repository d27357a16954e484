import type { MetadataAction, ProtocolAction } from '../model/actions.js'
import { DeltaError } from '../engine/errors.js'

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

import type { ColumnMappingMode } from '../arrow/conform.js'

export type { ColumnMappingMode }

/**
 * Refuse a table this reader cannot read exactly, naming what is missing: a reader version
 * above 3, or any reader feature not in SUPPORTED_READER_FEATURES.
 */
export function checkReadSupported(protocol: ProtocolAction, metadata?: MetadataAction): void {
  const v = protocol.minReaderVersion
  if (!Number.isInteger(v) || v < 1 || v > 3) {
    throw new DeltaError('UnsupportedFeature', `the table needs reader version ${v}; this library reads versions 1 to 3`)
  }
  if (v === 3) {
    const missing = (protocol.readerFeatures ?? []).filter((f) => !SUPPORTED_READER_FEATURES.has(f))
    if (missing.length > 0) {
      throw new DeltaError('UnsupportedFeature', `the table uses reader feature${missing.length > 1 ? 's' : ''} ${missing.map((f) => `'${f}'`).join(', ')}, which this library cannot read`)
    }
  }
  if (metadata) columnMappingMode(metadata)
}

/** The table's column mapping mode, from `delta.columnMapping.mode`. */
export function columnMappingMode(metadata: MetadataAction): ColumnMappingMode {
  const mode = metadata.configuration['delta.columnMapping.mode'] ?? 'none'
  if (mode !== 'none' && mode !== 'name' && mode !== 'id') {
    throw new DeltaError('UnsupportedFeature', `column mapping mode '${mode}' is not supported`)
  }
  return mode
}

/** Whether a reader or writer feature is listed by the protocol. */
export function hasFeature(protocol: ProtocolAction, feature: string): boolean {
  return (protocol.readerFeatures ?? []).includes(feature) || (protocol.writerFeatures ?? []).includes(feature)
}
