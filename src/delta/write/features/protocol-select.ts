import type { ProtocolAction } from '../../model/actions.js'
import {
  READER_WRITER_FEATURES, featuresOfWriterVersion, featuresUsedBy, legacyWriterVersion, type TableMetadataView,
} from './table-features-used.js'

// The order features are listed in when a protocol gains them (the protocol's own table order).
const FEATURE_ORDER = [
  'appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns', 'columnMapping', 'identityColumns',
  'deletionVectors', 'rowTracking', 'timestampNtz', 'domainMetadata', 'v2Checkpoint', 'icebergCompatV1', 'icebergCompatV2',
  'clustering', 'vacuumProtocolCheck', 'inCommitTimestamp', 'typeWidening', 'allowColumnDefaults',
]

// A table created while a feature was in preview lists the preview name; that satisfies it.
const PREVIEW_NAMES: Readonly<Record<string, string>> = {
  typeWidening: 'typeWidening-preview', variantType: 'variantType-preview', catalogManaged: 'catalogOwned-preview',
}

/** The features `used` minus those `current` already supports under their preview names. */
function withoutPreviewed(used: Set<string>, current: ProtocolAction | undefined): Set<string> {
  const listed = new Set([...(current?.readerFeatures ?? []), ...(current?.writerFeatures ?? [])])
  return new Set([...used].filter((f) => !(PREVIEW_NAMES[f] !== undefined && listed.has(PREVIEW_NAMES[f]!))))
}

function requestedVersion(configuration: Readonly<Record<string, string>>, key: string): number {
  const v = Number(configuration[key] ?? 0)
  return Number.isInteger(v) && v > 0 ? v : 0
}

/** `existing` followed by the features of `wanted` it lacks, those in the protocol's order. */
function featureList(existing: readonly string[] | undefined, wanted: ReadonlySet<string>): string[] {
  const out = [...(existing ?? [])]
  const rank = (f: string) => (FEATURE_ORDER.includes(f) ? FEATURE_ORDER.indexOf(f) : FEATURE_ORDER.length)
  const added = [...wanted].filter((f) => !out.includes(f)).sort((a, b) => rank(a) - rank(b))
  return [...out, ...added]
}

/**
 * The lowest protocol that supports every feature the table's metadata uses (see
 * `featuresUsedBy`), never lower than `current`. Legacy versions where they suffice: writer 2 as
 * the floor (appendOnly, invariants; what Spark and delta-rs create), 3 for CHECK constraints, 4
 * for change data feed and generated columns, 5 (reader 2) for column mapping, 6 for identity
 * columns. A feature without a legacy version (timestampNtz, deletionVectors, v2Checkpoint...)
 * moves the table to writer 7 (reader 3 when a reader feature is needed) listing every feature
 * used; a table upgraded from legacy versions also lists all they implied, as the protocol asks
 * (it must assume they were used). Features already listed keep their place, so an unchanged
 * protocol compares equal. `delta.minReaderVersion` / `delta.minWriterVersion` properties raise
 * the result.
 */
export function requiredProtocol(metadata: TableMetadataView, current?: ProtocolAction): ProtocolAction {
  const used = withoutPreviewed(featuresUsedBy(metadata), current)
  const wantReader = requestedVersion(metadata.configuration, 'delta.minReaderVersion')
  const wantWriter = requestedVersion(metadata.configuration, 'delta.minWriterVersion')
  const legacy = current && current.minWriterVersion < 7 ? current : undefined
  const legacyWriter = Math.max(legacy?.minWriterVersion ?? 0, wantWriter < 7 ? wantWriter : 0)
  const legacyReader = Math.max(legacy?.minReaderVersion ?? 0, wantReader < 3 ? wantReader : 0)
  let writer = Math.max(2, legacyWriter)
  let tableFeatures = wantWriter >= 7 || wantReader >= 3 || (current?.minWriterVersion ?? 0) >= 7
  for (const f of used) {
    const v = legacyWriterVersion(f)
    if (v === undefined) tableFeatures = true
    else writer = Math.max(writer, v)
  }
  if (!tableFeatures) {
    return { kind: 'protocol', minReaderVersion: Math.max(1, legacyReader, used.has('columnMapping') ? 2 : 1), minWriterVersion: writer }
  }
  // Upgrading from legacy versions: whatever they allowed may have been used, so list it all.
  const implied = [...featuresOfWriterVersion(legacyWriter), ...(legacyReader >= 2 ? ['columnMapping'] : [])]
  const writerSet = new Set([...implied, ...used, ...(current?.writerFeatures ?? []), ...(current?.readerFeatures ?? [])])
  const readerSet = new Set([...writerSet].filter((f) => READER_WRITER_FEATURES.has(f)))
  const needsReader3 = wantReader >= 3 || (current?.minReaderVersion ?? 0) >= 3 || [...readerSet].some((f) => f !== 'columnMapping')
  const protocol: ProtocolAction = {
    kind: 'protocol',
    minReaderVersion: needsReader3 ? 3 : Math.max(readerSet.has('columnMapping') ? 2 : 1, current?.minReaderVersion ?? 1),
    minWriterVersion: 7,
  }
  if (needsReader3) protocol.readerFeatures = featureList(current?.readerFeatures, readerSet)
  protocol.writerFeatures = featureList(current?.writerFeatures, writerSet)
  return protocol
}

export type { TableMetadataView }
