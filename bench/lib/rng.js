// Seeded pseudo-random numbers, so every run of the suite builds byte-for-byte the same data.

/**
 * A seeded generator (mulberry32: 32-bit state, fast, good enough for test data).
 * @param {number} seed
 * @returns {() => number} uniform floats in [0, 1)
 */
export function seededRandom(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A seeded integer generator in [0, n).
 * @param {() => number} random
 * @returns {(n: number) => number}
 */
export function intsFrom(random) {
  return (n) => Math.floor(random() * n)
}

/**
 * A deterministic UUID-shaped string from a generator, for file names and table ids.
 * @param {() => number} random
 */
export function seededUuid(random) {
  const hex = () => Math.floor(random() * 0x10000).toString(16).padStart(4, '0')
  return `${hex()}${hex()}-${hex()}-4${hex().slice(1)}-a${hex().slice(1)}-${hex()}${hex()}${hex()}`
}
