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
import type { CheckpointActions } from '../checkpoint/read.js'
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
 * Reconcile actions as the protocol says: the newest protocol and metaData win; txn per appId
 * and domainMetadata per domain keep the newest; a file action is keyed by path plus deletion
 * vector id and the newest one decides whether the file is live. Commits are walked newest
 * first, so each key is decided by the first action seen and older ones are skipped cheaply.
 */
export function replayActions(checkpoint: Action[] | CheckpointActions, commits: VersionedActions[], opts: ReplayOptions = {}): ReplayedState {
  const seen = new Set<string>()
  const state: ReplayedState = { files: ActiveFiles.of([]), txns: new Map(), domains: new Map() }
  const tombstones: RemoveAction[] | undefined = opts.tombstones ? [] : undefined
  if (tombstones) state.tombstones = tombstones
  const removedDomains = new Set<string>()
  const liveNewestFirst: AddAction[][] = []
  // The last source visited is the checkpoint, whose keys are already unique: nothing older
  // follows it, so its keys need not be remembered (a million-add checkpoint skips a million
  // set insertions).
  const visit = (actions: Action[], remember = true): AddAction[] => {
    const live: AddAction[] = []
    // Within one commit a key appears once, and a remove and an add of one path carry
    // different dv ids (parseCommit refuses anything else), so order inside a commit does not
    // matter. Keys are canonical paths: a remove spelled `a%2Db` cancels the add of `a-b`.
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
          else tombstones?.push(a)
          break
        }
        case 'protocol':
          state.protocol ??= a
          break
        case 'metaData':
          state.metadata ??= a
          break
        case 'txn':
          if (!state.txns.has(a.appId)) state.txns.set(a.appId, a)
          break
        case 'domainMetadata':
          if (state.domains.has(a.domain) || removedDomains.has(a.domain)) break
          if (a.removed) removedDomains.add(a.domain)
          else state.domains.set(a.domain, a)
          break
      }
    }
    return live
  }
  for (let i = commits.length - 1; i >= 0; i--) liveNewestFirst.push(visit(commits[i]!.actions))
  let checkpointRuns: FileRun[]
  if (Array.isArray(checkpoint)) checkpointRuns = [{ adds: visit(checkpoint, false) }]
  else {
    visit(checkpoint.others, false)
    checkpointRuns = checkpoint.adds(seen)
  }
  state.files = ActiveFiles.fromRuns([...checkpointRuns, { adds: joinOldestFirst(liveNewestFirst) }])
  return state
}

/**
 * The lists in reverse order, joined into one. A plain copy loop: push(...) and concat(...)
 * spread one argument per item or list, and flat() is several times slower, while a checkpoint
 * can hold millions of files and a log tens of thousands of commits.
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
