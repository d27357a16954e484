import { seededRandom } from '../helpers/child-tools.mjs'

/** Seeded choices: the same seed gives the same mutations on every machine. */
export class Random {
  /** A float in [0, 1). */
  readonly next: () => number

  constructor(seed: number) {
    this.next = seededRandom(seed)
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[this.int(items.length)]!
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }
}
