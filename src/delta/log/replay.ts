import {
  fileActionKey,
  type Action,
  type AddAction,
  type CommitInfoAction,
  type DomainMetadataAction,
  type MetadataAction,
  type ProtocolAction,
  type RemoveAction,
  type TxnAction,
} from '../model/actions.js'
import { ActiveFiles, type FileRun } from '../files/active-files.js'

/** The reconciled state of the log at one version. */
export interface ReplayedState {
  protocol?: ProtocolAction
  metadata?: MetadataAction
  /** Active files, in log order (checkpoint first, then commits oldest to newest). */
  files: ActiveFiles
  txns: Map<string, TxnAction>
  domains: Map<string, DomainMetadataAction>
  /**
   * Live tombstones (removes that are the newest action for their path and deletion vector),
   * newest commit first; only when replay was asked for them. Expired or not: the checkpoint
   * writer decides which to keep.
   */
  tombstones?: RemoveAction[]
}

/** What a replay keeps beyond the table state readers need. */
export interface ReplayOptions {
  /** Also collect live tombstones (for checkpoint writers); off by default, as readers need none. */
  tombstones?: boolean
}

/** The actions of one commit, tagged with its version. */
export interface VersionedActions {
  version: number
  actions: Action[]
}

/**
 * The state the commits after a checkpoint decide, before the checkpoint is read: the file keys
 * they decided (a checkpoint add with one of these keys is not live), the adds they left live
 * (oldest first), and the newest protocol, metadata, txns and domains they hold.
 */
export class CommitReplay {
  /** File keys (see `fileActionKey`) the commits decided. */
  readonly decided = new Set<string>()
  /** Adds the commits left live, oldest commit first. */
  readonly adds: AddAction[]
  protocol?: ProtocolAction
  metadata?: MetadataAction
  readonly txns = new Map<string, TxnAction>()
  readonly domains = new Map<string, DomainMetadataAction>()
  readonly tombstones: RemoveAction[] | undefined
  private readonly removedDomains = new Set<string>()

  constructor(commits: readonly VersionedActions[], opts: ReplayOptions = {}) {
    this.tombstones = opts.tombstones ? [] : undefined
    const liveNewestFirst: AddAction[][] = []
    for (let i = commits.length - 1; i >= 0; i--) liveNewestFirst.push(this.visit(commits[i]!.actions, true))
    this.adds = joinOldestFirst(liveNewestFirst)
  }

  /**
   * Reconcile actions as the protocol says: the newest protocol and metaData win; txn per appId
   * and domainMetadata per domain keep the newest; a file action is keyed by path plus deletion
   * vector id and the newest one decides whether the file is live. Commits are walked newest
   * first, so each key is decided by the first action seen. Within one commit a key appears
   * once, and a remove and an add of one path carry different dv ids (parseCommit refuses
   * anything else), so order inside a commit does not matter. Keys are canonical paths: a
   * remove spelled `a%2Db` cancels the add of `a-b`. The checkpoint's actions come last, and
   * their keys are unique, so they need not be remembered.
   */
  visit(actions: readonly Action[], remember: boolean): AddAction[] {
    const live: AddAction[] = []
    const seen = this.decided
    for (const a of actions) {
      switch (a.kind) {
        case 'add':
        case 'remove': {
          if (remember || seen.size > 0) {
            const key = fileActionKey(a.path, a.deletionVector)
            if (seen.has(key)) break
            if (remember) seen.add(key)
          }
          if (a.kind === 'add') live.push(a)
          else this.tombstones?.push(a)
          break
        }
        case 'protocol':
          this.protocol ??= a
          break
        case 'metaData':
          this.metadata ??= a
          break
        case 'txn':
          if (!this.txns.has(a.appId)) this.txns.set(a.appId, a)
          break
        case 'domainMetadata':
          if (this.domains.has(a.domain) || this.removedDomains.has(a.domain)) break
          if (a.removed) this.removedDomains.add(a.domain)
          else this.domains.set(a.domain, a)
          break
      }
    }
    return live
  }

  /**
   * The state once the checkpoint's non-add actions (`others`) and its live adds (as runs, in
   * checkpoint order) are taken in.
   */
  finish(others: readonly Action[], checkpointRuns: readonly FileRun[]): ReplayedState {
    const jsonAdds = this.visit(others, false)
    const runs: FileRun[] = [...checkpointRuns]
    if (jsonAdds.length > 0) runs.unshift({ adds: jsonAdds })
    runs.push({ adds: this.adds })
    const state: ReplayedState = { files: ActiveFiles.fromRuns(runs), txns: this.txns, domains: this.domains }
    if (this.protocol) state.protocol = this.protocol
    if (this.metadata) state.metadata = this.metadata
    if (this.tombstones) state.tombstones = this.tombstones
    return state
  }
}

/** Replay a checkpoint given as actions (its adds among them) and the commits after it. */
export function replayActions(checkpoint: readonly Action[], commits: readonly VersionedActions[], opts: ReplayOptions = {}): ReplayedState {
  return new CommitReplay(commits, opts).finish(checkpoint, [])
}

/**
 * The lists in reverse order, joined into one. A plain copy loop: push(...) and concat(...)
 * spread one argument per item or list, and flat() is several times slower, while a log can
 * hold tens of thousands of commits.
 */
function joinOldestFirst(newestFirst: AddAction[][]): AddAction[] {
  let total = 0
  for (const l of newestFirst) total += l.length
  const out = new Array<AddAction>(total)
  let k = 0
  for (let i = newestFirst.length - 1; i >= 0; i--) for (const a of newestFirst[i]!) out[k++] = a
  return out
}

/** The commitInfo of a commit's actions, if it has one. */
export function findCommitInfo(actions: Action[]): CommitInfoAction | undefined {
  return actions.find((a): a is CommitInfoAction => a.kind === 'commitInfo')
}
