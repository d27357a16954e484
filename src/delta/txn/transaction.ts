import type {
  Action, AddAction, CdcAction, DomainMetadataAction, MetadataAction, ProtocolAction, RemoveAction, TxnAction,
} from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import type { Snapshot } from '../log/snapshot.js'
import { checkAppendOnly, checkWriteSupported } from '../features/writer.js'
import { commitTransaction } from './commit.js'
import { buildCommitInfo, inCommitTimestampAfter, type OperationMetric } from './commit-info.js'
import type { IsolationLevel, ReadSet, TransactionSummary } from './conflict.js'
import { removeOf } from './file-actions.js'
import { physicalPartitionValues } from '../features/column-mapping.js'
import { partitionKeysOf } from '../scan/plan.js'
import type { TransactionOptions } from './options.js'
import { runPostCommit, type PostCommitResult } from './post-commit.js'

/** How an operation starts its transaction: the caller's options plus its own name. */
export interface TransactionStart extends TransactionOptions {
  /** The operation as commitInfo and history name it: 'WRITE', 'DELETE', 'ADD CONSTRAINT'... */
  operation: string
  /** Waits between commit retries; replaceable in tests. */
  sleep?: (ms: number) => Promise<void>
}

/** Where a transaction landed and what followed it. */
export interface CommittedTransaction extends PostCommitResult {
  version: number
  /** How many commit attempts it took (1 when no other writer got in the way). */
  attempts: number
}

/**
 * The one way to commit to a table, as delta-kernel's `snapshot.transaction()`. An operation
 * starts it from the snapshot it read (none to create a table), which refuses at once a table
 * whose writer features this library cannot honour; it then gives the transaction its actions
 * and says what it read, and calls `commit()` once. The transaction alone checks append-only
 * tables, writes commitInfo (operation, parameters, metrics, engineInfo, txnId, in-commit
 * timestamp), records app transactions, commits by atomic create with conflict checks and
 * retries, and runs the post-commit work (checkpoint, log cleanup).
 */
export class Transaction {
  /** The snapshot the operation read; undefined when it creates the table. */
  readonly snapshot: Snapshot | undefined
  readonly #engine: Engine
  readonly #opts: TransactionStart
  readonly #started = Date.now()
  readonly #txnId = globalThis.crypto.randomUUID()
  #parameters: Record<string, unknown> = {}
  #metrics: Record<string, OperationMetric> = {}
  #metadata: MetadataAction | undefined
  #protocol: ProtocolAction | undefined
  readonly #adds: AddAction[] = []
  readonly #removes: RemoveAction[] = []
  readonly #cdc: CdcAction[] = []
  readonly #domains = new Map<string, DomainMetadataAction>()
  #read: ReadSet = { files: new Set() }
  /** 'preparing': `commit()` was called but nothing is written yet; 'committing': the commit is being written. */
  #state: 'open' | 'preparing' | 'committing' | 'done' = 'open'

  constructor(engine: Engine, snapshot: Snapshot | undefined, opts: TransactionStart) {
    if (snapshot) checkWriteSupported(snapshot.protocol, snapshot.metadata)
    this.#engine = engine
    this.snapshot = snapshot
    this.#opts = opts
  }

  /** The version the transaction read: -1 when it creates the table. */
  get readVersion(): number {
    return this.snapshot?.version ?? -1
  }

  /** The table's metadata as this commit leaves it. */
  get metadata(): MetadataAction | undefined {
    return this.#metadata ?? this.snapshot?.metadata
  }

  /** The isolation level the conflict checks use. */
  get isolationLevel(): IsolationLevel {
    return this.#opts.isolationLevel ?? 'WriteSerializable'
  }

  /**
   * Whether `commit()` got as far as trying to write the commit. Until then no commit can have
   * landed, so the operation may delete the data files it staged.
   */
  get commitAttempted(): boolean {
    return this.#state === 'committing' || this.#state === 'done'
  }

  /** The operation's parameters, as commitInfo records them (`mode`, `predicate`...). */
  withOperationParameters(parameters: Record<string, unknown>): this {
    this.#parameters = { ...this.#parameters, ...parameters }
    return this
  }

  /** The operation's metrics (`numAddedFiles`, `numDeletedRows`...), as commitInfo records them. */
  withOperationMetrics(metrics: Record<string, OperationMetric>): this {
    this.#metrics = { ...this.#metrics, ...metrics }
    return this
  }

  /** New table metadata (a new table, a schema or property change). */
  setMetadata(metadata: MetadataAction): this {
    this.#metadata = metadata
    return this
  }

  /** A new protocol; refused at once when this library cannot write a table under it. */
  setProtocol(protocol: ProtocolAction): this {
    checkWriteSupported(protocol, this.metadata)
    this.#protocol = protocol
    return this
  }

  /** Data files (already written) that the commit adds. */
  addFiles(adds: readonly AddAction[]): this {
    appendAll(this.#adds, adds)
    return this
  }

  /**
   * Active files that the commit removes. With `dataChange` (the default) rows leave the table,
   * which an append-only table refuses here, before the operation writes anything more.
   */
  removeFiles(files: readonly AddAction[], dataChange = true): this {
    if (dataChange && files.length > 0) checkAppendOnly(this.snapshot, files.length)
    // Under column mapping, a file an older writer of ours added may have logical keys: its
    // remove is keyed by physical name, as the protocol wants every action.
    const keys = this.snapshot && this.snapshot.columnMapping !== 'none' ? partitionKeysOf(this.snapshot) : []
    for (const f of files) {
      const remove = removeOf(f, dataChange)
      if (keys.length > 0) remove.partitionValues = physicalPartitionValues(f.partitionValues, keys)
      this.#removes.push(remove)
    }
    return this
  }

  /** Change data files (already written under `_change_data/`). */
  addChangeFiles(cdc: readonly CdcAction[]): this {
    appendAll(this.#cdc, cdc)
    return this
  }

  /** Domain metadata to set (or remove, with `removed: true`); the last one per domain wins. */
  setDomainMetadata(domain: DomainMetadataAction): this {
    this.#domains.set(domain.domain, domain)
    return this
  }

  /**
   * What the operation read, for the conflict checks against commits that win the race: the
   * files it read and a predicate saying which concurrently added files it would have read.
   * Nothing (the default) makes the transaction a blind append when it only adds files.
   */
  readFrom(read: ReadSet): this {
    this.#read = read
    return this
  }

  /**
   * Refuse now when the table is append-only: for operations that remove rows by nature
   * (delete, update, merge), before they read or write anything.
   */
  assertRemovable(): this {
    checkAppendOnly(this.snapshot, undefined)
    return this
  }

  /**
   * Commit: check, stamp commitInfo, write the next version by atomic create (checking and
   * retrying past commits that win the race), then run the post-commit work. Can be called once.
   */
  async commit(): Promise<CommittedTransaction> {
    if (this.#state !== 'open') throw new DeltaError('Internal', 'a transaction commits once; start a new one from a fresh snapshot')
    const summary = this.#prepare()
    this.#state = 'preparing'
    const ictAfter = await inCommitTimestampAfter(this.#engine, this.metadata?.configuration ?? {}, this.snapshot)
    this.#state = 'committing'
    const landed = await commitTransaction(this.#engine, this.readVersion, summary, {
      retryBudgetMs: this.#opts.retryBudgetMs,
      sleep: this.#opts.sleep,
      inCommitTimestampAfter: ictAfter,
    })
    this.#state = 'done'
    const post = await runPostCommit(this.#engine, landed.version, this.metadata!, this.#opts.postCommitHookProperties)
    return { version: landed.version, attempts: landed.attempts, ...post }
  }

  /** Check the commit and build its actions, commitInfo first; nothing is written yet. */
  #prepare(): TransactionSummary {
    if (!this.metadata) throw new DeltaError('Internal', 'a transaction that creates a table needs its metadata')
    if (!this.snapshot && !this.#protocol) throw new DeltaError('Internal', 'a transaction that creates a table needs its protocol')
    if (this.#protocol) checkWriteSupported(this.#protocol, this.metadata)
    const dataRemoves = this.#removes.filter((r) => r.dataChange)
    if (dataRemoves.length > 0) checkAppendOnly(this.snapshot, dataRemoves.length)
    const isBlindAppend = this.#removes.length === 0 && this.#read.files.size === 0 && this.#read.mayHaveRead === undefined &&
      this.#adds.every((a) => a.dataChange)
    const info = buildCommitInfo({
      operation: this.#opts.operation,
      operationParameters: this.#parameters,
      operationMetrics: { ...this.#metrics, executionTimeMs: Date.now() - this.#started },
      readVersion: this.snapshot?.version,
      isolationLevel: this.isolationLevel,
      isBlindAppend,
      txnId: this.#txnId,
      customMetadata: this.#opts.commitProperties?.customMetadata,
    })
    const actions: Action[] = [
      info,
      ...(this.#protocol ? [this.#protocol] : []),
      ...(this.#metadata ? [this.#metadata] : []),
      ...this.#appTransactions(),
      ...this.#domains.values(),
      ...this.#removes, ...this.#adds, ...this.#cdc,
    ]
    return { actions, read: this.#read, isolation: this.isolationLevel, isBlindAppend }
  }

  #appTransactions(): TxnAction[] {
    const now = Date.now()
    return (this.#opts.commitProperties?.appTransactions ?? []).map((t) => ({ kind: 'txn', appId: t.appId, version: t.version, lastUpdated: now }))
  }
}

/** Append every item to `into`; a loop, as a spread into `push` overflows the stack past ~100k items. */
function appendAll<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item)
}

/** Start the transaction of an operation on `snapshot` (undefined to create the table). */
export function startTransaction(engine: Engine, snapshot: Snapshot | undefined, opts: TransactionStart): Transaction {
  return new Transaction(engine, snapshot, opts)
}
