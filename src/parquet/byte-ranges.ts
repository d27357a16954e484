/** A half-open byte range `[start, end)` of one file. */
export interface ByteRange {
  start: number
  end: number
}

/**
 * Merge ranges that overlap or lie at most `gap` bytes apart, sorted by start. Fetching a few
 * unused bytes costs less than another round trip, so nearby column chunks share one read.
 */
export function coalesceRanges(ranges: readonly ByteRange[], gap: number): ByteRange[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start)
  const merged: ByteRange[] = []
  for (const r of sorted) {
    const last = merged[merged.length - 1]
    if (last && r.start <= last.end + gap) {
      last.end = Math.max(last.end, r.end)
    } else {
      merged.push({ start: r.start, end: r.end })
    }
  }
  return merged
}
