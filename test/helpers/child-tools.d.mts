/** A seeded generator (mulberry32): floats in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number
/** `promise`, or `'hang'` when it has not settled after `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | 'hang'>
