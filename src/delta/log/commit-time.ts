import type { CommitInfoAction, MetadataAction } from '../model/actions.js'
import { booleanProperty, IN_COMMIT_TIMESTAMP_ENABLEMENT_VERSION_KEY, IN_COMMIT_TIMESTAMPS_KEY } from '../features/table-config.js'
import type { CommitFile } from './log-segment.js'

/** The version from which commits carry in-commit timestamps, or undefined when disabled. */
export function inCommitTimestampsFrom(metadata: MetadataAction): number | undefined {
  if (!booleanProperty(metadata.configuration, IN_COMMIT_TIMESTAMPS_KEY)) return undefined
  const from = metadata.configuration[IN_COMMIT_TIMESTAMP_ENABLEMENT_VERSION_KEY]
  return from === undefined ? 0 : Number(from)
}

/**
 * The timestamp of each commit, oldest first: the in-commit timestamp where the table has them
 * from that version on, else the commit file's modification time, made strictly increasing as
 * Spark does (a clock that went backwards must not reorder history).
 */
export function commitTimestamps(
  commits: readonly CommitFile[],
  infos: ReadonlyMap<number, CommitInfoAction>,
  ictFrom: number | undefined,
): number[] {
  const out: number[] = []
  let prev = -Infinity
  for (const c of commits) {
    const ict = ictFrom !== undefined && c.version >= ictFrom ? infos.get(c.version)?.info.inCommitTimestamp : undefined
    if (typeof ict === 'number') {
      out.push(ict)
      prev = ict
      continue
    }
    const t = c.lastModified > prev ? c.lastModified : prev + 1
    out.push(t)
    prev = t
  }
  return out
}
