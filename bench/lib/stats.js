// Small numeric helpers shared by the runner and the workloads.

/**
 * The median of a non-empty list (the mean of the middle two for an even count).
 * @param {number[]} xs
 */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/**
 * Round to `digits` decimals, for results that are read by people.
 * @param {number} x
 * @param {number} [digits]
 */
export function round(x, digits = 1) {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
