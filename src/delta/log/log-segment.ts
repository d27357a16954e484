import { DeltaError, isDeltaError } from '../engine/errors.js'
import { LAST_CHECKPOINT_PATH, LOG_DIR, padVersion, parseLogFileName } from './log-path.js'
import type { FileMeta, Storage } from '../engine/storage.js'

/** A commit file of the log with its version. */
export interface CommitFile extends FileMeta {
  version: number
}

/** The checkpoint a snapshot starts from: one file, or every part of a multi-part one. */
export interface CheckpointFiles {
  version: number
  format: 'classic' | 'multipart' | 'uuid'
  files: FileMeta[]
}

/**
 * The log files that make up one version of a table: the newest usable checkpoint at or below
 * it and every commit after that checkpoint up to the version, contiguous.
 */
export interface LogSegment {
  version: number
  checkpoint?: CheckpointFiles
  /** Commits after the checkpoint, oldest first. */
  commits: CommitFile[]
}

/** What `_last_checkpoint` says, when it is present and readable. */
export interface LastCheckpointHint {
  version: number
  size?: number
  parts?: number
  /** For a v2 checkpoint: its file name in `_delta_log`. */
  v2Path?: string
  /** Bytes of the checkpoint file, when one file (lets a reader start on it before listing). */
  sizeInBytes?: number
}

/**
 * The most parts a `_last_checkpoint` may announce. Multi-part checkpoints are deprecated and
 * split a million actions or so per part; a hint beyond this is taken as damaged, not probed.
 */
export const MAX_CHECKPOINT_PARTS = 10_000

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Read `_last_checkpoint`. Missing, unreadable or malformed (not UTF-8 JSON, a version that is
 * not a whole number, sizes or parts of the wrong type, a v2 checkpoint name that is not one of
 * that version) gives undefined, as Spark and delta-rs treat it: it is only a hint, and the
 * listing decides what is true. Its `sizeInBytes` is a hint too (see `loadSnapshot`).
 */
export async function readLastCheckpoint(storage: Storage): Promise<LastCheckpointHint | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await storage.read(LAST_CHECKPOINT_PATH)
  } catch (e) {
    if (isDeltaError(e, 'NotFound')) return undefined
    throw e
  }
  let o: unknown
  try {
    o = JSON.parse(utf8.decode(bytes))
  } catch {
    return undefined
  }
  return parseLastCheckpoint(o)
}

/** The hint of a parsed `_last_checkpoint`, or undefined when it is malformed. */
export function parseLastCheckpoint(o: unknown): LastCheckpointHint | undefined {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined
  const j = o as Record<string, unknown>
  const version = j.version
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) return undefined
  const count = (v: unknown, max = Number.MAX_SAFE_INTEGER): number | undefined | null =>
    v === undefined || v === null ? undefined : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max ? v : null
  const size = count(j.size)
  const parts = count(j.parts, MAX_CHECKPOINT_PARTS)
  let fileSize = count(j.sizeInBytes)
  let v2Path: string | undefined
  if (j.v2Checkpoint !== undefined && j.v2Checkpoint !== null) {
    const v2 = j.v2Checkpoint as Record<string, unknown>
    const name = typeof v2 === 'object' && typeof v2.path === 'string' ? v2.path : undefined
    const parsed = name === undefined ? undefined : parseLogFileName(name)
    if (parsed?.kind !== 'checkpoint' || parsed.format !== 'uuid' || parsed.version !== version) return undefined
    v2Path = name
    fileSize = count(v2.sizeInBytes)
  }
  if (size === null || parts === null || parts === 0 || fileSize === null) return undefined
  return {
    version,
    size,
    parts,
    v2Path,
    sizeInBytes: fileSize !== undefined && fileSize > 0 ? fileSize : undefined,
  }
}

/** The errors that say there is no table at all (see {@link isTableMissing}). */
const missingTables = new WeakSet<DeltaError>()

/** Mark `error` as saying there is no table at all, and give it back. */
function tableMissing(error: DeltaError): DeltaError {
  missingTables.add(error)
  return error
}

/**
 * Whether `e` says there is no Delta table here at all: no `_delta_log` (a storage that refuses
 * to list a missing log folder with `NotFound` counts, as the Node one does for a missing path,
 * a file or a folder without a log), or a log holding no commits and no checkpoints. A writer
 * creates the table then. Every other failure, a `NotFound` included (a log whose commits cannot
 * rebuild a version, a log file that vanished), means a table is there and must not be written
 * over as if it were new.
 */
export function isTableMissing(e: unknown): boolean {
  return isDeltaError(e, 'NotFound') && missingTables.has(e)
}

/**
 * List `_delta_log` (non-recursively) from just before `fromVersion`, or from the start. Files
 * of subfolders (`.tmp/`, `_staged_commits/`) never appear. A `NotFound` from the storage means
 * there is no log folder: it is passed on marked as a missing table.
 */
export async function listLog(storage: Storage, fromVersion?: number): Promise<FileMeta[]> {
  const dir = LOG_DIR
  const startAfter = fromVersion !== undefined && fromVersion > 0
    ? `${dir}/${padVersion(fromVersion - 1)}.~` // '~' sorts after every suffix of that version
    : undefined
  try {
    return await storage.list(dir, startAfter ? { startAfter } : undefined)
  } catch (e) {
    throw isDeltaError(e, 'NotFound') ? tableMissing(e) : e
  }
}

/**
 * Build the log segment for `version` (latest when undefined) from a listing of `_delta_log`.
 * `listing` must cover every file from the chosen checkpoint onwards.
 */
export function buildLogSegment(listing: FileMeta[], version?: number): LogSegment {
  const commits = new Map<number, CommitFile>()
  const checkpoints = new Map<number, FileMeta[]>()
  const checkpointMeta = new Map<number, ReturnType<typeof parseLogFileName>[]>()
  for (const f of listing) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1)
    const p = parseLogFileName(name)
    if (!p) continue
    if (p.kind === 'commit') commits.set(p.version, { ...f, version: p.version })
    else if (p.kind === 'checkpoint') {
      if (!checkpoints.has(p.version)) { checkpoints.set(p.version, []); checkpointMeta.set(p.version, []) }
      checkpoints.get(p.version)!.push(f)
      checkpointMeta.get(p.version)!.push(p)
    }
  }
  if (commits.size === 0 && checkpoints.size === 0) {
    throw tableMissing(new DeltaError('NotFound', `no Delta table: ${LOG_DIR} holds no commits`))
  }
  const latest = Math.max(maxOf(commits.keys()), maxOf(checkpoints.keys()))
  const target = version ?? latest
  if (target > latest) {
    throw new DeltaError('InvalidArgument', `version ${target} does not exist: the latest version is ${latest}`)
  }
  const checkpoint = pickCheckpoint(checkpoints, checkpointMeta, target)
  const first = checkpoint ? checkpoint.version + 1 : 0
  const segmentCommits: CommitFile[] = []
  for (let v = first; v <= target; v++) {
    const c = commits.get(v)
    if (!c) throw missingCommit(v, first, target, latest, commits, checkpoint)
    segmentCommits.push(c)
  }
  return { version: target, checkpoint, commits: segmentCommits }
}

/**
 * Why commit `v` of the segment is missing. Commits cleaned up below an old `target` make that
 * version unavailable (`NotFound`: time travel went too far back); the same at the latest version,
 * or a gap between commits, is a damaged log (`InvalidLog`), which no writer may take for an
 * absent table.
 */
function missingCommit(
  v: number, first: number, target: number, latest: number, commits: Map<number, CommitFile>, cp: CheckpointFiles | undefined,
): DeltaError {
  const earliest = minOf(commits.keys())
  const startsLater = !cp && v === first && earliest > first && earliest <= target
  const cleanedUp = !cp && !commits.has(target) && v === 0
  if ((startsLater || cleanedUp) && target === latest) {
    const why = startsLater ? `the log starts at version ${earliest}` : `commit ${padVersion(v)}.json is missing`
    return new DeltaError('InvalidLog', `the latest version ${latest} cannot be rebuilt: ${why} and no checkpoint covers the versions before it. The log is damaged: restore the missing log files before reading or writing the table`)
  }
  if (startsLater) {
    return new DeltaError('NotFound', `version ${target} cannot be rebuilt: the log starts at version ${earliest} and no checkpoint covers the versions before it (they were cleaned up)`)
  }
  if (cleanedUp) {
    return new DeltaError('NotFound', `version ${target} is no longer available in the log`)
  }
  return new DeltaError('InvalidLog', `the log has a gap: commit ${padVersion(v)}.json is missing between versions ${first} and ${target}`)
}

// Loops, not Math.max(...keys): spreading a log of 125,000 commits overflows the stack.
function maxOf(values: Iterable<number>): number {
  let m = -Infinity
  for (const v of values) if (v > m) m = v
  return m
}

function minOf(values: Iterable<number>): number {
  let m = Infinity
  for (const v of values) if (v < m) m = v
  return m
}

function pickCheckpoint(
  checkpoints: Map<number, FileMeta[]>,
  meta: Map<number, ReturnType<typeof parseLogFileName>[]>,
  target: number,
): CheckpointFiles | undefined {
  const versions = [...checkpoints.keys()].filter((v) => v <= target).sort((a, b) => b - a)
  for (const v of versions) {
    const files = checkpoints.get(v)!
    const parsed = meta.get(v)!
    // Prefer a single-file checkpoint; a multi-part one only counts with every part present.
    const single = parsed.findIndex((p) => p?.kind === 'checkpoint' && p.format !== 'multipart')
    if (single >= 0) {
      const p = parsed[single]!
      return { version: v, format: p.kind === 'checkpoint' && p.format === 'uuid' ? 'uuid' : 'classic', files: [files[single]!] }
    }
    const byCount = new Map<number, FileMeta[]>()
    parsed.forEach((p, i) => {
      if (p?.kind !== 'checkpoint' || p.format !== 'multipart') return
      const parts = byCount.get(p.parts) ?? []
      parts[p.part - 1] = files[i]!
      byCount.set(p.parts, parts)
    })
    for (const [count, parts] of byCount) {
      if (parts.filter(Boolean).length === count) return { version: v, format: 'multipart', files: parts }
    }
  }
  return undefined
}

/**
 * Find the log segment of `version` (latest when undefined) with as few sequential requests
 * as the storage allows: `_last_checkpoint` first, then one listing from that checkpoint on.
 * A stale, missing or corrupt `_last_checkpoint` only costs a longer listing.
 */
export async function findLogSegment(
  storage: Storage, version?: number, knownHint?: LastCheckpointHint | null,
): Promise<LogSegment> {
  const hint = knownHint === undefined ? await readLastCheckpoint(storage) : knownHint ?? undefined
  if (!storage.capabilities.list) {
    const usable = hint && (version === undefined || version >= hint.version) ? hint : undefined
    if (usable) {
      try {
        const seg = buildLogSegment(await probeLog(storage, usable, version), version)
        if (seg.checkpoint) return seg
      } catch (e) {
        if (!isDeltaError(e) || e.code === 'InvalidArgument') throw e
      }
    }
    return buildLogSegment(await probeLog(storage, undefined, version), version)
  }
  if (hint && (version === undefined || version >= hint.version)) {
    const listing = await listLog(storage, hint.version)
    if (listing.some((f) => f.path.endsWith(`${padVersion(hint.version)}.json`) || isCheckpointOf(f, hint.version))) {
      try {
        const seg = buildLogSegment(listing, version)
        if (seg.checkpoint) return seg
      } catch (e) {
        if (!isDeltaError(e) || e.code === 'InvalidArgument') throw e
      }
    }
  }
  const listing = await listLog(storage)
  if (listing.length === 0) {
    throw tableMissing(new DeltaError('NotFound', `no Delta table: there is no ${LOG_DIR} folder or it is empty`))
  }
  return buildLogSegment(listing, version)
}

/**
 * The checkpoint `_last_checkpoint` points at, when it names a single file of known size: a
 * reader can start fetching it while the listing that confirms it is still under way.
 */
export function predictCheckpoint(hint: LastCheckpointHint | undefined, version?: number): CheckpointFiles | undefined {
  if (!hint?.sizeInBytes || (hint.parts ?? 1) > 1 || (version !== undefined && version < hint.version)) return undefined
  const name = hint.v2Path ?? `${padVersion(hint.version)}.checkpoint.parquet`
  return {
    version: hint.version,
    format: hint.v2Path ? 'uuid' : 'classic',
    files: [{ path: `${LOG_DIR}/${name}`, size: hint.sizeInBytes, lastModified: 0 }],
  }
}


function isCheckpointOf(f: FileMeta, version: number): boolean {
  const p = parseLogFileName(f.path.slice(f.path.lastIndexOf('/') + 1))
  return p?.kind === 'checkpoint' && p.version === version
}

/** How many commit files a probe asks for at once. */
export const PROBE_BATCH = 16

/**
 * The log files a storage without LIST can be shown to have: the checkpoint `_last_checkpoint`
 * names, then commits found by probing forward in parallel batches until one is missing (or
 * `version` is reached). It cannot see a log whose early commits were cleaned up without a
 * checkpoint, nor a gap followed by more commits: it stops at the first missing version.
 */
export async function probeLog(storage: Storage, hint: LastCheckpointHint | undefined, version?: number): Promise<FileMeta[]> {
  const dir = LOG_DIR
  const checkpointNames = !hint ? []
    : hint.v2Path ? [hint.v2Path]
    : hint.parts && hint.parts > 1
      ? Array.from({ length: hint.parts }, (_, i) => `${padVersion(hint.version)}.checkpoint.${String(i + 1).padStart(10, '0')}.${String(hint.parts).padStart(10, '0')}.parquet`)
      : [`${padVersion(hint.version)}.checkpoint.parquet`]
  const found: FileMeta[] = []
  let next = hint ? hint.version + 1 : 0
  let first = true
  for (;;) {
    const last = version === undefined ? next + PROBE_BATCH - 1 : Math.min(version, next + PROBE_BATCH - 1)
    const names = Array.from({ length: Math.max(0, last - next + 1) }, (_, i) => `${padVersion(next + i)}.json`)
    if (first) for (const n of checkpointNames) names.push(n)
    const heads = await Promise.all(names.map((n) => storage.head(`${dir}/${n}`)))
    first = false
    let missing = false
    heads.forEach((h, i) => {
      if (h) found.push({ ...h, path: `${dir}/${names[i]}` })
      else if (i < last - next + 1) missing = true
    })
    if (missing || last === version || names.length === 0) break
    next = last + 1
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}
