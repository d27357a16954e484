import { findCommitInfo } from './replay.js'
import type { Engine } from '../engine/engine.js'
import { listLog, type CommitFile } from './log-segment.js'
import { readCommits } from './snapshot.js'
import { commitTimestamps, inCommitTimestampsFrom } from './commit-time.js'
import type { MetadataAction } from '../model/actions.js'
import { parseLogFileName } from './log-path.js'

/** One entry of a table's history: the commitInfo of a version, with its version and time. */
export interface CommitEntry {
  version: number
  /** Milliseconds since the epoch: the in-commit timestamp, the writer's, or the file's. */
  timestamp: number
  operation?: string
  operationParameters?: Record<string, unknown>
  /** Every other field the writer put in commitInfo, as written. */
  [key: string]: unknown
}

/** The commit files still in the log, oldest first. */
export async function listCommits(engine: Engine): Promise<CommitFile[]> {
  const listing = await listLog(engine.storage)
  const out: CommitFile[] = []
  for (const f of listing) {
    const p = parseLogFileName(f.path.slice(f.path.lastIndexOf('/') + 1))
    if (p?.kind === 'commit') out.push({ ...f, version: p.version })
  }
  return out
}

/**
 * The history of a table, newest first, as delta-rs returns it: one entry per commit still in
 * the log (cleaned-up commits are gone), at most `limit` of them.
 */
export async function readHistory(engine: Engine, metadata: MetadataAction, limit?: number): Promise<CommitEntry[]> {
  let commits = await listCommits(engine)
  if (limit !== undefined) commits = commits.slice(Math.max(0, commits.length - limit))
  const read = await readCommits(engine, commits)
  const infos = new Map(read.flatMap((c) => {
    const info = findCommitInfo(c.actions)
    return info ? [[c.version, info] as const] : []
  }))
  const times = commitTimestamps(commits, infos, inCommitTimestampsFrom(metadata))
  return commits.map((c, i) => {
    const info = infos.get(c.version)?.info ?? {}
    return { ...info, version: c.version, timestamp: typeof info.inCommitTimestamp === 'number' ? info.inCommitTimestamp : typeof info.timestamp === 'number' ? info.timestamp : times[i]! }
  }).reverse()
}

