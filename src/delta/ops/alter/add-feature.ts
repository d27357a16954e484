import type { Engine } from '../../engine/engine.js'
import { DeltaError } from '../../engine/errors.js'
import { loadSnapshot } from '../../log/snapshot.js'
import { transactionOptions, type TransactionOptions } from '../../txn/options.js'
import { startTransaction } from '../../txn/transaction.js'
import { requiredProtocol } from '../../write/features/protocol-select.js'
import { checkBoolean, checkOptions, TRANSACTION_OPTIONS, type OptionChecks } from '../check-options.js'

/** Options of `addFeature`: the commit's, and whether the protocol versions may go up. */
export interface AddFeatureOptions extends TransactionOptions {
  /**
   * Allow raising the table to reader 3 / writer 7 (table features) when it is not there yet.
   * Default false: such a table is refused, as delta-rs refuses it.
   */
  allowProtocolVersionsIncrease?: boolean
}

/** The options `addFeature` accepts. */
export const ADD_FEATURE_OPTIONS: OptionChecks = { allowProtocolVersionsIncrease: checkBoolean, ...TRANSACTION_OPTIONS }

/** The table features PROTOCOL.md names; others are refused by name. */
export const TABLE_FEATURES: readonly string[] = [
  'appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns', 'columnMapping', 'identityColumns',
  'deletionVectors', 'rowTracking', 'timestampNtz', 'domainMetadata', 'v2Checkpoint', 'icebergCompatV1', 'icebergCompatV2',
  'clustering', 'vacuumProtocolCheck', 'inCommitTimestamp', 'typeWidening', 'allowColumnDefaults', 'variantType', 'catalogManaged',
]

/**
 * Add table features to the protocol, as delta-rs's `alter.add_feature`: the table moves to
 * writer 7 (and reader 3 when a feature is read too) listing the named features, which become
 * supported (not enabled: properties such as `delta.enableDeletionVectors` still turn them on).
 * A table below those versions is refused unless `allowProtocolVersionsIncrease`; unknown
 * features are `InvalidArgument` by name, and ones this library cannot write
 * `UnsupportedFeature`. Features already listed change nothing (no commit: the table's
 * version comes back). Records commitInfo as delta-rs's `ADD FEATURE`.
 */
export async function addFeature(engine: Engine, feature: string | string[], opts: AddFeatureOptions = {}): Promise<{ version: number }> {
  checkOptions('add feature', opts, ADD_FEATURE_OPTIONS)
  const features = featureNames(feature)
  const snapshot = await loadSnapshot(engine)
  const current = snapshot.protocol
  const listed = new Set([...(current.readerFeatures ?? []), ...(current.writerFeatures ?? [])])
  if (current.minWriterVersion >= 7 && features.every((f) => listed.has(f))) return { version: snapshot.version }
  const configuration: Record<string, string> = { ...snapshot.metadata.configuration, 'delta.minWriterVersion': '7' }
  for (const f of features) configuration[`delta.feature.${f}`] = 'supported'
  const protocol = requiredProtocol({ schema: snapshot.schema, configuration, partitionColumns: snapshot.metadata.partitionColumns }, current)
  if (!opts.allowProtocolVersionsIncrease && (protocol.minReaderVersion > current.minReaderVersion || protocol.minWriterVersion > current.minWriterVersion)) {
    throw new DeltaError('InvalidArgument', `adding ${features.join(', ')} raises the table from reader ${current.minReaderVersion} / writer ${current.minWriterVersion} to reader ${protocol.minReaderVersion} / writer ${protocol.minWriterVersion}; pass allowProtocolVersionsIncrease: true to allow it`)
  }
  const txn = startTransaction(engine, snapshot, { ...transactionOptions(opts), operation: 'ADD FEATURE' })
  txn.setProtocol(protocol).withOperationParameters({ name: JSON.stringify(features) })
  const committed = await txn.commit()
  return { version: committed.version }
}

/** The features named, in their canonical spelling; unknown or blank names are refused. */
function featureNames(feature: unknown): string[] {
  const list = typeof feature === 'string' ? [feature] : Array.isArray(feature) ? feature : []
  if (list.length === 0 || !list.every((f) => typeof f === 'string')) {
    throw new DeltaError('InvalidArgument', "give a table feature or a list of them, such as 'deletionVectors'")
  }
  return [...new Set(list.map((name: string) => {
    const known = TABLE_FEATURES.find((f) => f.toLowerCase() === name.toLowerCase())
    if (!known) throw new DeltaError('InvalidArgument', `unknown table feature '${name}'; the features are ${TABLE_FEATURES.join(', ')}`)
    return known
  }))]
}
