/**
 * Cut `items` into at most `parts` contiguous slices of near-equal length, in order, none empty:
 * joining the slices' results in slice order keeps the items' order.
 */
export function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const n = Math.max(1, Math.min(Math.floor(parts), items.length))
  const out: T[][] = []
  let start = 0
  for (let k = 0; k < n; k++) {
    const end = Math.round(((k + 1) * items.length) / n)
    if (end > start) out.push(items.slice(start, end))
    start = end
  }
  return out
}
