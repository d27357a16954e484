import type { Action, MetadataAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { planScan } from '../scan/plan.js'
import { executeScan } from '../scan/read.js'
import { loadSnapshot, type Snapshot } from '../log/snapshot.js'
import { commitTransaction } from '../txn/commit.js'
import { commitInfoAction, inCommitTimestampAfter } from '../txn/commit-actions.js'
import { constraintsOf, validateNewConstraint } from '../write/features/constraints.js'
import { checkWriteSupported } from '../features/writer.js'
import { requiredProtocol } from '../write/features/protocol-select.js'

const PREFIX = 'delta.constraints.'

/**
 * Add CHECK constraints (`name` -> SQL expression), as delta-rs's `alter.add_constraint`. Every
 * existing row must satisfy them; the commit conflicts with any concurrent write that adds data,
 * since that data was not checked.
 */
export async function addConstraints(engine: Engine, constraints: Record<string, string>): Promise<number> {
  const snapshot = await loadSnapshot(engine)
  checkWriteSupported(snapshot.protocol, snapshot.metadata)
  const names = Object.keys(constraints)
  if (names.length === 0) throw new DeltaError('InvalidArgument', 'give at least one constraint: { name: "expression" }')
  const data = await executeScan(engine, snapshot, planScan(snapshot))
  let configuration = { ...snapshot.metadata.configuration }
  for (const name of names) {
    validateNewConstraint(data, name, constraints[name]!, snapshot.schema, configuration)
    configuration = { ...configuration, [`${PREFIX}${name.toLowerCase()}`]: constraints[name]! }
  }
  return commitMetadata(engine, snapshot, configuration, 'ADD CONSTRAINT', { name: names.join(','), expr: names.map((n) => constraints[n]).join(',') })
}

/** Drop a CHECK constraint; a missing one is an error unless `raiseIfNotExists` is false. */
export async function dropConstraint(engine: Engine, name: string, raiseIfNotExists = true): Promise<number> {
  const snapshot = await loadSnapshot(engine)
  checkWriteSupported(snapshot.protocol, snapshot.metadata)
  const existing = constraintsOf(snapshot.metadata.configuration).find((c) => c.name.toLowerCase() === name.toLowerCase())
  if (!existing) {
    if (!raiseIfNotExists) return snapshot.version
    throw new DeltaError('InvalidArgument', `the table has no constraint '${name}'`)
  }
  const configuration = Object.fromEntries(Object.entries(snapshot.metadata.configuration)
    .filter(([k]) => k.toLowerCase() !== `${PREFIX}${existing.name.toLowerCase()}`))
  return commitMetadata(engine, snapshot, configuration, 'DROP CONSTRAINT', { name })
}

async function commitMetadata(
  engine: Engine, snapshot: Snapshot, configuration: Record<string, string>,
  operation: string, parameters: Record<string, unknown>,
): Promise<number> {
  const metadata: MetadataAction = { ...snapshot.metadata, configuration }
  const protocol = requiredProtocol({ schema: snapshot.schema, configuration, partitionColumns: metadata.partitionColumns }, snapshot.protocol)
  const actions: Action[] = [
    commitInfoAction(operation, parameters, snapshot.version, {}, false),
    ...(JSON.stringify(protocol) === JSON.stringify(snapshot.protocol) ? [] : [protocol]),
    metadata,
  ]
  const result = await commitTransaction(engine, snapshot.version, {
    actions, read: { files: new Set(snapshot.files.map((f) => f.path)), mayHaveRead: () => true },
    isolation: 'Serializable', isBlindAppend: false,
  }, { inCommitTimestampAfter: inCommitTimestampAfter(configuration, snapshot) })
  return result.version
}
