import type { Engine } from '../../engine/engine.js'
import { loadSnapshot } from '../../log/snapshot.js'
import type { MetadataAction } from '../../model/actions.js'
import { parseSchema } from '../../model/schema.js'
import { transactionOptions, type TransactionOptions } from '../../txn/options.js'
import { startTransaction, type Transaction } from '../../txn/transaction.js'
import { requiredProtocol } from '../../write/features/protocol-select.js'
import type { Snapshot } from '../../log/snapshot.js'

/** What a metadata change commits: the new metadata and the operation's parameters. */
export interface MetadataChange {
  metadata: MetadataAction
  parameters: Record<string, unknown>
}

/**
 * Commit a change of the table's metadata (and the protocol it needs) as `operation`: the
 * protocol is raised to what the new metadata uses (see `requiredProtocol`), never lowered, and
 * written only when it changes. The change is computed from the latest snapshot by `change`,
 * which may throw to refuse it before anything is written. A concurrent metadata change
 * conflicts, as the transaction's checks make it.
 */
export async function commitMetadataChange(
  engine: Engine, operation: string, opts: TransactionOptions,
  change: (snapshot: Snapshot, txn: Transaction) => MetadataChange,
): Promise<{ version: number }> {
  const snapshot = await loadSnapshot(engine)
  const txn = startTransaction(engine, snapshot, { ...transactionOptions(opts), operation })
  const { metadata, parameters } = change(snapshot, txn)
  const protocol = requiredProtocol({ schema: parseSchema(metadata.schemaString), configuration: metadata.configuration, partitionColumns: metadata.partitionColumns }, snapshot.protocol)
  txn.setMetadata(metadata)
  if (JSON.stringify(protocol) !== JSON.stringify(snapshot.protocol)) txn.setProtocol(protocol)
  txn.withOperationParameters(parameters)
  const committed = await txn.commit()
  return { version: committed.version }
}
