import { commitTimestamps, inCommitTimestampsFrom } from './commit-time.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { listCommits } from './history.js'
import { findCommitInfo } from './replay.js'
import { loadSnapshot, readCommits } from './snapshot.js'

/**
 * The version a table had at `timestamp` (ms since the epoch): the newest commit at or before
 * it. Uses in-commit timestamps for the versions that have them, file times before.
 */
export async function versionAtTimestamp(engine: Engine, timestamp: number): Promise<number> {
  const [latest, commits] = await Promise.all([loadSnapshot(engine), listCommits(engine)])
  const ictFrom = inCommitTimestampsFrom(latest.metadata)
  const needInfo = ictFrom === undefined ? [] : commits.filter((c) => c.version >= ictFrom)
  const infos = new Map((await readCommits(engine, needInfo)).flatMap((c) => {
    const info = findCommitInfo(c.actions)
    return info ? [[c.version, info] as const] : []
  }))
  const times = commitTimestamps(commits, infos, ictFrom)
  let found: number | undefined
  for (let i = 0; i < commits.length; i++) if (times[i]! <= timestamp) found = commits[i]!.version
  if (found === undefined) {
    const first = times[0]
    throw new DeltaError('InvalidArgument', `no version of the table existed at ${new Date(timestamp).toISOString()}${first !== undefined ? `: the earliest available commit is from ${new Date(first).toISOString()}` : ''}`)
  }
  return found
}
