import type { MetadataAction } from '../../model/actions.js'
import type { Engine } from '../../engine/engine.js'
import { DeltaError } from '../../engine/errors.js'
import { planScan } from '../../scan/plan.js'
import { executeScan } from '../../scan/read.js'
import { loadSnapshot } from '../../log/snapshot.js'
import { transactionOptions, type TransactionOptions } from '../../txn/options.js'
import { startTransaction, type Transaction } from '../../txn/transaction.js'
import { CONSTRAINT_PREFIX, constraintsOf, validateNewConstraint } from '../../write/features/constraints.js'
import { requiredProtocol } from '../../write/features/protocol-select.js'
import { ADD_CONSTRAINT_OPTIONS, checkOptions, DROP_CONSTRAINT_OPTIONS } from '../check-options.js'

/**
 * Options of `addConstraints`: the commit's. The commit always checks concurrent appends
 * (their rows were not checked against the new constraints), so `isolationLevel` may be
 * 'Serializable' (the default) or 'WriteSerializable', not 'SnapshotIsolation'.
 */
export type AddConstraintOptions = TransactionOptions

/** Options of `dropConstraint`: the commit's, and what to do when there is no such constraint. */
export interface DropConstraintOptions extends TransactionOptions {
  /** Refuse (the default) or do nothing when the table has no constraint of that name. */
  raiseIfNotExists?: boolean
}

/**
 * Add CHECK constraints (`name` -> SQL expression), as delta-rs's `alter.add_constraint`. Every
 * existing row must satisfy them; the commit conflicts with any concurrent write that adds data,
 * since that data was not checked. Returns the committed version.
 *
 * `opts` holds only the operation's own options; anything else is refused as a typo, so a
 * caller that carries its own keys strips them first.
 */
export async function addConstraints(engine: Engine, constraints: Record<string, string>, opts: AddConstraintOptions = {}): Promise<{ version: number }> {
  checkOptions('add constraint', opts, ADD_CONSTRAINT_OPTIONS)
  if (opts.isolationLevel === 'SnapshotIsolation') {
    throw new DeltaError('InvalidArgument', "adding a constraint must see concurrent appends: use isolationLevel 'Serializable' or 'WriteSerializable'")
  }
  const names = typeof constraints === 'object' && constraints !== null ? Object.keys(constraints) : []
  if (names.length === 0 || names.some((n) => typeof constraints[n] !== 'string')) {
    throw new DeltaError('InvalidArgument', 'give at least one constraint: { name: "expression" }')
  }
  const snapshot = await loadSnapshot(engine)
  const txn = startTransaction(engine, snapshot, { ...transactionOptions(opts), isolationLevel: opts.isolationLevel ?? 'Serializable', operation: 'ADD CONSTRAINT' })
  const data = await executeScan(engine, snapshot, planScan(snapshot))
  let configuration = { ...snapshot.metadata.configuration }
  for (const name of names) {
    validateNewConstraint(data, name, constraints[name]!, snapshot.schema, configuration)
    configuration = { ...configuration, [`${CONSTRAINT_PREFIX}${name.toLowerCase()}`]: constraints[name]! }
  }
  txn.readFrom({ files: new Set(snapshot.files.map((f) => f.path)), mayHaveRead: () => true })
    .withOperationParameters({ name: names.join(','), expr: names.map((n) => constraints[n]).join(',') })
  return commitConfiguration(txn, configuration)
}

/**
 * Drop a CHECK constraint, as delta-rs's `alter.drop_constraint`; a missing one is an error
 * unless `raiseIfNotExists` is false, when the table's version comes back unchanged.
 *
 * `opts` holds only the operation's own options; anything else is refused as a typo, so a
 * caller that carries its own keys strips them first.
 */
export async function dropConstraint(engine: Engine, name: string, opts: DropConstraintOptions = {}): Promise<{ version: number }> {
  checkOptions('drop constraint', opts, DROP_CONSTRAINT_OPTIONS)
  if (typeof name !== 'string' || name.trim() === '') throw new DeltaError('InvalidArgument', 'give the name of the constraint to drop')
  const snapshot = await loadSnapshot(engine)
  const txn = startTransaction(engine, snapshot, { ...transactionOptions(opts), operation: 'DROP CONSTRAINT' })
  const existing = constraintsOf(snapshot.metadata.configuration).find((c) => c.name.toLowerCase() === name.toLowerCase())
  if (!existing) {
    if (opts.raiseIfNotExists === false) return { version: snapshot.version }
    throw new DeltaError('InvalidArgument', `the table has no constraint '${name}'`)
  }
  const configuration = Object.fromEntries(Object.entries(snapshot.metadata.configuration)
    .filter(([k]) => k.toLowerCase() !== `${CONSTRAINT_PREFIX}${existing.name.toLowerCase()}`))
  txn.withOperationParameters({ name })
  return commitConfiguration(txn, configuration)
}

/** Commit new table properties, raising the protocol when they need it. */
async function commitConfiguration(txn: Transaction, configuration: Record<string, string>): Promise<{ version: number }> {
  const current = txn.snapshot!
  const metadata: MetadataAction = { ...current.metadata, configuration }
  txn.setMetadata(metadata)
  const protocol = requiredProtocol({ schema: current.schema, configuration, partitionColumns: metadata.partitionColumns }, current.protocol)
  if (JSON.stringify(protocol) !== JSON.stringify(current.protocol)) txn.setProtocol(protocol)
  const committed = await txn.commit()
  return { version: committed.version }
}
