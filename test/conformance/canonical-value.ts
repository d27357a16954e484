/**
 * One value in the corpus's canonical form (see the corpus README, "Comparing results"):
 * long as number (string beyond 2^53), decimal as an exact string, date/timestamp as ISO
 * strings, binary as hex, struct as an object by field name, map as sorted [key, value] pairs.
 */
export type Canonical = null | boolean | number | string | Canonical[] | { [field: string]: Canonical }

/** Map entries in a stable order, since a map's canonical form is an unordered set of pairs. */
export function sortPairs(pairs: Canonical[][]): Canonical[][] {
  const keyed = pairs.map((p) => [serializeValue(p), p] as const)
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return keyed.map(([, p]) => p)
}

/**
 * JSON of a canonical value that keeps NaN and infinities apart from null (plain JSON writes
 * them all as null), so rows can be compared as strings.
 */
export function serializeValue(value: Canonical | Canonical[]): string {
  // Rows of scalars (the common case) skip the replacer, which costs a call per value.
  if (Array.isArray(value) && value.every(isFiniteScalar)) return JSON.stringify(value)
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? { $float: String(v) } : v)
}

function isFiniteScalar(v: Canonical | Canonical[]): boolean {
  return v === null || (typeof v === 'number' ? Number.isFinite(v) : typeof v !== 'object')
}
