// Small tools shared by the seeded test suites and the child processes they start (plain
// JavaScript, so a child can load it beside the built package).

/**
 * A seeded generator (mulberry32): floats in [0, 1), the same sequence for the same seed on
 * every machine.
 * @param {number} seed
 * @returns {() => number}
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
 * `promise`, or `'hang'` when it has not settled after `ms` (the promise is left to itself).
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @returns {Promise<T | 'hang'>}
 */
export function withDeadline(promise, ms) {
  let timer
  const deadline = new Promise((resolve) => (timer = setTimeout(() => resolve('hang'), ms)))
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
