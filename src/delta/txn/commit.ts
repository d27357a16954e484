import type { Action } from '../model/actions.js'
import { formatCommit } from '../model/action-json.js'
import { checkConflicts, type TransactionSummary } from './conflict.js'
import { parseCommit } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError, isDeltaError } from '../engine/errors.js'
import { commitPath } from '../log/log-path.js'

/** How a commit retries when another writer takes its version first. */
export interface CommitOptions {
  /** Give up (with `CommitConflict`) after retrying this long. Default 120 s. */
  retryBudgetMs?: number
  /** Waits between retries; replaceable in tests. */
  sleep?: (ms: number) => Promise<void>
  /**
   * Stamp commitInfo with an in-commit timestamp (the table has them enabled), strictly after
   * this one: the previous commit's. Winners met on retry move it forward.
   */
  inCommitTimestampAfter?: number
}

/** Where a commit landed. */
export interface CommitResult {
  version: number
  /** 1 when the first attempt won. */
  attempts: number
}

const BACKOFF_BASE_MS = 5
const BACKOFF_CAP_MS = 500

/**
 * Commit `txn.actions` as the version after `readVersion` (-1 creates the table) with an atomic
 * create. When another writer won that version, its commit is read and checked for conflicts;
 * without one the commit moves to the next version after a capped exponential backoff with full
 * jitter, until it lands or the time budget runs out. Data files must already be written: a
 * commit that never lands leaves the table at its last version.
 *
 * This is the low-level step of `Transaction.commit()`, which every operation goes through: it
 * writes exactly the actions it is given, with no checks of its own beyond conflicts.
 */
export async function commitTransaction(
  engine: Engine, readVersion: number, txn: TransactionSummary, opts: CommitOptions = {},
): Promise<CommitResult> {
  if (!engine.storage.capabilities.write) {
    throw new DeltaError('InvalidArgument', 'this storage is read-only: open the table with a storage that can write')
  }
  const budget = opts.retryBudgetMs ?? 120_000
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const started = Date.now()
  let version = readVersion + 1
  let after = opts.inCommitTimestampAfter
  for (let attempt = 1; ; attempt++) {
    const bytes = new TextEncoder().encode(formatCommit(withCommitTimestamp(txn.actions, after)))
    try {
      await engine.storage.put(commitPath(version), bytes, { ifAbsent: true })
      return { version, attempts: attempt }
    } catch (e) {
      if (!isDeltaError(e, 'FileAlreadyExists')) {
        if (await landedAnyway(engine, commitPath(version), txn.actions)) return { version, attempts: attempt }
        throw e
      }
    }
    const winnerPath = commitPath(version)
    const winner = parseCommit(await engine.storage.read(winnerPath), winnerPath)
    checkConflicts(txn, { version, actions: winner })
    const winnerIct = winner.find((a) => a.kind === 'commitInfo')
    if (after !== undefined && winnerIct?.kind === 'commitInfo' && typeof winnerIct.info.inCommitTimestamp === 'number') {
      after = Math.max(after, winnerIct.info.inCommitTimestamp)
    }
    if (Date.now() - started > budget) {
      throw new DeltaError('CommitConflict', `gave up after ${attempt} attempts in ${budget} ms: other writers kept taking the next version (latest seen ${version})`)
    }
    version++
    await sleep(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10)))
  }
}

/**
 * After a failed put the commit may still have been written (a lost acknowledgement). It is
 * ours when the file there carries our commitInfo's txnId.
 */
async function landedAnyway(engine: Engine, path: string, actions: readonly Action[]): Promise<boolean> {
  const ours = actions.find((a) => a.kind === 'commitInfo')
  const txnId = ours?.kind === 'commitInfo' ? ours.info.txnId : undefined
  if (typeof txnId !== 'string') return false
  try {
    const there = parseCommit(await engine.storage.read(path), path).find((a) => a.kind === 'commitInfo')
    return there?.kind === 'commitInfo' && there.info.txnId === txnId
  } catch {
    return false
  }
}

/**
 * Stamp commitInfo with the time of this attempt, and with an in-commit timestamp when asked:
 * then commitInfo goes first, as the protocol requires.
 */
function withCommitTimestamp(actions: readonly Action[], ictAfter: number | undefined): Action[] {
  const now = Date.now()
  const info = actions.find((a) => a.kind === 'commitInfo')
  if (!info || info.kind !== 'commitInfo') return [...actions]
  const stamped: Action = {
    kind: 'commitInfo',
    info: ictAfter === undefined
      ? { ...info.info, timestamp: now }
      : { inCommitTimestamp: Math.max(now, ictAfter + 1), ...info.info, timestamp: now },
  }
  return [stamped, ...actions.filter((a) => a !== info)]
}
