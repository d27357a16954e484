import type { Snapshot } from '../log/snapshot.js'

/** The table property that asks deletes, updates and merges to write deletion vectors. */
export const ENABLE_DELETION_VECTORS_KEY = 'delta.enableDeletionVectors'

/** Bitmaps at most this long go inline in the log (`i`); longer ones into a DV file (`u`). */
export const INLINE_DV_MAX_BYTES = 128

/** Whether changes to the table's rows are to be marked with deletion vectors rather than rewritten. */
export function usesDeletionVectors(snapshot: Pick<Snapshot, 'protocol' | 'metadata'>): boolean {
  return snapshot.metadata.configuration[ENABLE_DELETION_VECTORS_KEY] === 'true' &&
    (snapshot.protocol.writerFeatures ?? []).includes('deletionVectors') &&
    (snapshot.protocol.readerFeatures ?? []).includes('deletionVectors')
}

/**
 * The stats of a file that now has a deletion vector: the same numbers (they describe the physical
 * file, as the protocol says), marked `tightBounds: false`, as Spark marks them: the bounds still
 * bound the rows left, but are no longer exact for them.
 */
export function looseStats(stats: string | null | undefined): string | null {
  if (!stats) return stats ?? null
  try {
    const parsed = JSON.parse(stats) as Record<string, unknown>
    return JSON.stringify({ ...parsed, tightBounds: false })
  } catch {
    return stats
  }
}
