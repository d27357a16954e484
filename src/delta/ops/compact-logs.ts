import { fileActionKey, type Action } from '../model/actions.js'
import { formatCommit } from '../model/action-json.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { checkWriteSupported } from '../features/writer.js'
import { LOG_DIR, padVersion, parseLogFileName } from '../log/log-path.js'
import { listLog, type CommitFile } from '../log/log-segment.js'
import type { VersionedActions } from '../log/replay.js'
import { loadSnapshot, readCommits } from '../log/snapshot.js'
import { checkNumber, checkOptions, type OptionChecks } from './check-options.js'

/** Options of {@link compactLogs}. */
export interface CompactLogsOptions {
  /**
   * The first commit of the range; by default the oldest commit from which every commit up to
   * `endVersion` is still in the log.
   */
  startVersion?: number
  /** The last commit of the range (greater than `startVersion`); the latest version by default. */
  endVersion?: number
}

/** What {@link compactLogs} wrote. */
export interface CompactLogsResult {
  /** The log compaction file, relative to the table root. */
  path: string
  startVersion: number
  endVersion: number
  /** Actions in the file. */
  actions: number
}

/** The options {@link compactLogs} accepts. */
export const COMPACT_LOGS_OPTIONS: OptionChecks = {
  startVersion: (v, key) => checkNumber(v, key, 0, true),
  endVersion: (v, key) => checkNumber(v, key, 0, true),
}

/** The path of the log compaction file of commits `start` to `end`. */
export function compactionPath(start: number, end: number): string {
  return `${LOG_DIR}/${padVersion(start)}.${padVersion(end)}.compacted.json`
}

/**
 * Write a log compaction file `<start>.<end>.compacted.json` (PROTOCOL.md, Log Compaction Files),
 * as delta-rs's `DeltaTable.compact_logs` does: the commits of the range reconciled into one
 * newline-delimited JSON file (see {@link reconcileCommits}). A reader may read it in place of
 * those commits; this library's reader, like any reader the protocol allows, reads the commits
 * and ignores it, so the file only ever saves other readers work. Nothing is committed, and
 * metadata clean-up deletes it with the commits it starts at.
 *
 * The range must hold two commits or more (`endVersion` greater than `startVersion`), every one
 * still in the log; otherwise, or for a version beyond the latest, InvalidArgument (NotFound
 * when a commit of the range was cleaned up) before anything is written.
 */
export async function compactLogs(engine: Engine, opts: CompactLogsOptions = {}): Promise<CompactLogsResult> {
  checkOptions('compactLogs', opts, COMPACT_LOGS_OPTIONS)
  if (!engine.storage.capabilities.write) {
    throw new DeltaError('InvalidArgument', 'this storage is read-only: open the table with a storage that can write to compact its log')
  }
  const commits = await listCommits(engine)
  let latest = 0
  for (const v of commits.keys()) if (v > latest) latest = v
  const end = opts.endVersion ?? latest
  if (end > latest) throw new DeltaError('InvalidArgument', `endVersion ${end} does not exist: the latest version is ${latest}`)
  let start = opts.startVersion ?? end
  if (opts.startVersion === undefined) while (commits.has(start - 1)) start--
  if (end <= start) {
    throw new DeltaError('InvalidArgument', `a log compaction covers two commits or more: endVersion (${end}) must be greater than startVersion (${start})`)
  }
  const range: CommitFile[] = []
  for (let v = start; v <= end; v++) {
    const c = commits.get(v)
    if (!c) throw new DeltaError('NotFound', `commit ${padVersion(v)}.json is no longer in the log, so versions ${start} to ${end} cannot be compacted`)
    range.push(c)
  }
  const snapshot = await loadSnapshot(engine, end, { withoutFiles: true })
  checkWriteSupported(snapshot.protocol, snapshot.metadata)
  const actions = reconcileCommits(await readCommits(engine, range))
  const path = compactionPath(start, end)
  // The content is a function of the commits alone: a file left by an earlier run is the same.
  await engine.storage.put(path, new TextEncoder().encode(formatCommit(actions)))
  return { path, startVersion: start, endVersion: end, actions: actions.length }
}

async function listCommits(engine: Engine): Promise<Map<number, CommitFile>> {
  const commits = new Map<number, CommitFile>()
  for (const f of await listLog(engine.storage)) {
    const p = parseLogFileName(f.path.slice(f.path.lastIndexOf('/') + 1))
    if (p?.kind === 'commit') commits.set(p.version, { ...f, version: p.version })
  }
  if (commits.size === 0) throw new DeltaError('NotFound', `no Delta table: ${LOG_DIR} holds no commits`)
  return commits
}

/**
 * The actions of consecutive commits reconciled as PROTOCOL.md's Action Reconciliation says, so
 * that they can stand in for those commits on top of the state before them: the newest protocol
 * and metaData, the newest txn per application, the newest domainMetadata per domain (a
 * removal included: it removes a domain set before the range), and the newest action per file
 * (path and deletion vector id), a remove included, as it cancels an add before the range.
 * commitInfo and cdc describe single commits, not state, and are left out. Actions come grouped
 * by kind (protocol, metaData, txn, domainMetadata, add, remove), each in log order.
 */
export function reconcileCommits(commits: readonly VersionedActions[]): Action[] {
  const seen = new Set<string>()
  const kept: Action[] = []
  for (let i = commits.length - 1; i >= 0; i--) {
    const actions = commits[i]!.actions
    for (let j = actions.length - 1; j >= 0; j--) {
      const key = reconcileKey(actions[j]!)
      if (key === undefined || seen.has(key)) continue
      seen.add(key)
      kept.push(actions[j]!)
    }
  }
  kept.reverse()
  const order = ['protocol', 'metaData', 'txn', 'domainMetadata', 'add', 'remove']
  return order.flatMap((kind) => kept.filter((a) => a.kind === kind))
}

function reconcileKey(a: Action): string | undefined {
  switch (a.kind) {
    case 'protocol': case 'metaData': return a.kind
    case 'txn': return `txn\u0000${a.appId}`
    case 'domainMetadata': return `domainMetadata\u0000${a.domain}`
    case 'add': case 'remove': return `file\u0000${fileActionKey(a.path, a.deletionVector)}`
    default: return undefined
  }
}
