import type { Action, AddAction, RemoveAction } from '../model/actions.js'
import { DeltaError } from '../engine/errors.js'

/** How strictly concurrent commits are checked, as in Spark and delta-rs. */
export type IsolationLevel = 'Serializable' | 'WriteSerializable' | 'SnapshotIsolation'

/** What a transaction read, so that a concurrent commit can be checked against it. */
export interface ReadSet {
  /**
   * Whether a file added concurrently could have been read by this transaction (its read
   * predicate may match it). Undefined means the transaction read no data (a blind append).
   */
  mayHaveRead?: (add: AddAction) => boolean
  /** Paths of the files the transaction read (and may rewrite or remove). */
  files: ReadonlySet<string>
}

/** What the transaction being committed does. */
export interface TransactionSummary {
  actions: readonly Action[]
  read: ReadSet
  isolation: IsolationLevel
  /** Whether it only adds files without reading (an append). */
  isBlindAppend: boolean
}

/** A commit that landed first, as read from the log. */
export interface WinningCommit {
  version: number
  actions: readonly Action[]
}

/**
 * Check a transaction against one commit that won the race for its version, as the protocol's
 * isolation levels say (the checks of Spark's ConflictChecker). Throws `CommitConflict` naming
 * the winning version and why; returns when the transaction may retry on top of it.
 */
export function checkConflicts(txn: TransactionSummary, winner: WinningCommit): void {
  const why = findConflict(txn, winner)
  if (why) {
    throw new DeltaError('CommitConflict', `a concurrent commit (version ${winner.version}) conflicts with this one: ${why}. Reload the table and try again`)
  }
}

function findConflict(txn: TransactionSummary, winner: WinningCommit): string | undefined {
  const w = winner.actions
  if (w.some((a) => a.kind === 'protocol')) return 'it changed the protocol'
  if (w.some((a) => a.kind === 'metaData')) return 'it changed the table metadata'
  const info = w.find((a) => a.kind === 'commitInfo')
  const winnerBlind = info?.kind === 'commitInfo' && info.info.isBlindAppend === true
  const adds = w.filter((a): a is AddAction => a.kind === 'add' && a.dataChange)
  const ownMetadataChange = txn.actions.some((a) => a.kind === 'metaData')
  // WriteSerializable lets a transaction ignore concurrent blind appends; Serializable does not.
  const relevantAdds = txn.isolation === 'SnapshotIsolation' ? []
    : txn.isolation === 'WriteSerializable' && !ownMetadataChange && winnerBlind ? []
    : adds
  if (txn.read.mayHaveRead) {
    const hit = relevantAdds.find((a) => txn.read.mayHaveRead!(a))
    if (hit) return `it added '${hit.path}', which this transaction's read would have seen`
  }
  const removed = w.filter((a): a is RemoveAction => a.kind === 'remove' && a.dataChange)
  const readHit = removed.find((r) => txn.read.files.has(r.path))
  if (readHit) return `it removed '${readHit.path}', which this transaction read`
  const ownRemoved = new Set(txn.actions.filter((a): a is RemoveAction => a.kind === 'remove').map((r) => r.path))
  const bothRemoved = w.find((a): a is RemoveAction => a.kind === 'remove' && ownRemoved.has(a.path))
  if (bothRemoved) return `both removed '${bothRemoved.path}'`
  const ownTxns = new Set(txn.actions.flatMap((a) => (a.kind === 'txn' ? [a.appId] : [])))
  const txnHit = w.find((a) => a.kind === 'txn' && ownTxns.has(a.appId))
  if (txnHit?.kind === 'txn') return `it committed application transaction '${txnHit.appId}' too`
  const ownDomains = new Set(txn.actions.flatMap((a) => (a.kind === 'domainMetadata' ? [a.domain] : [])))
  const domainHit = w.find((a) => a.kind === 'domainMetadata' && ownDomains.has(a.domain))
  if (domainHit?.kind === 'domainMetadata') return `it changed domain metadata '${domainHit.domain}' too`
  return undefined
}
