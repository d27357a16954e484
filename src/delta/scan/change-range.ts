import type { Action } from '../model/actions.js'
import { mapLimit } from '../engine/concurrency.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { commitTimestamps, inCommitTimestampsFrom } from '../log/commit-time.js'
import { listCommits } from '../log/history.js'
import { commitPath, parseLogFileName } from '../log/log-path.js'
import { listLog, type CommitFile } from '../log/log-segment.js'
import { findCommitInfo, type VersionedActions } from '../log/replay.js'
import { LOG_READ_CONCURRENCY, readCommits, type Snapshot } from '../log/snapshot.js'
import type { ChangeRequest } from './change-options.js'

/** The commits a change read covers, oldest first, with their actions and times. */
export interface ChangeRange {
  start: number
  end: number
  commits: VersionedActions[]
  /** Each commit's timestamp in ms since the epoch, in the order of `commits`. */
  times: number[]
}

/** Every commit still in the log with its time, and the commits read to learn those times. */
interface Timeline {
  files: CommitFile[]
  times: number[]
  read: Map<number, Action[]>
}

/**
 * Find and read the commits `request` asks for on a table whose latest snapshot is `latest`;
 * undefined when the range is empty and `allowOutOfRange` allows it. Commit times are the
 * in-commit timestamps from the version the latest metadata enables them, else file times (as
 * time travel reads them), so a range chosen by time and the `_commit_timestamp` of its rows
 * agree.
 */
export async function readChangeRange(engine: Engine, request: ChangeRequest, latest: Snapshot): Promise<ChangeRange | undefined> {
  const ictFrom = inCommitTimestampsFrom(latest.metadata)
  const byTime = request.startingTime !== undefined || request.endingTime !== undefined
  const timeline = byTime ? await readTimeline(engine, ictFrom) : undefined
  const range = resolveVersions(request, latest.version, timeline)
  if (!range) return undefined
  const { start, end } = range
  const inRange = (c: CommitFile) => c.version >= start && c.version <= end
  const files = timeline ? timeline.files.filter(inRange) : await commitFilesBetween(engine, start, end)
  if (files.length !== end - start + 1) {
    throw new DeltaError('NotFound', `the commits from version ${start} to ${end} are no longer all in the log (cleaned up): read changes from a later version`)
  }
  const known = timeline?.read ?? new Map<number, Action[]>()
  const fresh = new Map((await readCommits(engine, files.filter((c) => !known.has(c.version)))).map((c) => [c.version, c.actions]))
  const commits = files.map((c) => ({ version: c.version, actions: known.get(c.version) ?? fresh.get(c.version)! }))
  const times = timeline
    ? timeline.times.filter((_, i) => inRange(timeline.files[i]!))
    : commitTimestamps(files, commitInfos(commits), ictFrom)
  return { start, end, commits, times }
}

/**
 * The first and last version of the range, or undefined for an empty one that
 * `allowOutOfRange` allows: starting times pick the first commit at or after them, ending
 * times the last commit at or before them.
 */
function resolveVersions(request: ChangeRequest, latest: number, timeline: Timeline | undefined): { start: number; end: number } | undefined {
  const outOfRange = (message: string): undefined => {
    if (request.allowOutOfRange) return undefined
    throw new DeltaError('InvalidArgument', `${message}; pass allowOutOfRange: true to get an empty result instead`)
  }
  let start = request.startVersion ?? 0
  if (request.startingTime !== undefined) {
    const i = timeline!.times.findIndex((t) => t >= request.startingTime!)
    if (i < 0) return outOfRange(`startingTimestamp ${iso(request.startingTime)} is after the latest commit (version ${latest})`)
    start = timeline!.files[i]!.version
  }
  if (start > latest) return outOfRange(`startVersion ${start} is after the latest version ${latest}`)
  let end = request.endVersion ?? latest
  if (request.endingTime !== undefined) {
    const i = findLastIndex(timeline!.times, (t) => t <= request.endingTime!)
    if (i < 0) return outOfRange(`endingTimestamp ${iso(request.endingTime)} is before the first commit in the log`)
    end = timeline!.files[i]!.version
  }
  if (end > latest) {
    if (!request.allowOutOfRange) {
      throw new DeltaError('InvalidArgument', `endVersion ${end} is after the latest version ${latest}; pass allowOutOfRange: true to read up to the latest`)
    }
    end = latest
  }
  if (end < start) return outOfRange(`the range ends at version ${end}, before it starts at version ${start}`)
  return { start, end }
}

/** Every commit in the log with its time; reads the commits whose in-commit timestamps count. */
async function readTimeline(engine: Engine, ictFrom: number | undefined): Promise<Timeline> {
  if (!engine.storage.capabilities.list) {
    throw new DeltaError('UnsupportedFeature', 'reading changes by time lists the log, which this storage cannot do: give startVersion and endVersion instead')
  }
  const files = await listCommits(engine)
  const needed = ictFrom === undefined ? [] : files.filter((c) => c.version >= ictFrom)
  const read = new Map((await readCommits(engine, needed)).map((c) => [c.version, c.actions]))
  const infos = commitInfos([...read].map(([version, actions]) => ({ version, actions })))
  return { files, times: commitTimestamps(files, infos, ictFrom), read }
}

/** The commit files of versions start..end still in the log: listed, or probed where the storage cannot list. */
async function commitFilesBetween(engine: Engine, start: number, end: number): Promise<CommitFile[]> {
  if (engine.storage.capabilities.list) {
    const out: CommitFile[] = []
    for (const f of await listLog(engine.storage, start)) {
      const p = parseLogFileName(f.path.slice(f.path.lastIndexOf('/') + 1))
      if (p?.kind === 'commit' && p.version >= start && p.version <= end) out.push({ ...f, version: p.version })
    }
    return out
  }
  const versions = Array.from({ length: end - start + 1 }, (_, i) => start + i)
  const heads = await mapLimit(versions, LOG_READ_CONCURRENCY, (v) => engine.storage.head(commitPath(v)))
  return heads.flatMap((h, i) => (h ? [{ ...h, path: commitPath(versions[i]!), version: versions[i]! }] : []))
}

function commitInfos(commits: readonly VersionedActions[]) {
  return new Map(commits.flatMap((c) => {
    const info = findCommitInfo(c.actions)
    return info ? [[c.version, info] as const] : []
  }))
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i
  return -1
}

function iso(ms: number): string {
  return new Date(Math.floor(ms)).toISOString()
}
