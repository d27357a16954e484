import { describe, expect, it } from 'vitest'
import { mapAhead, mapLimit } from '../../../src/delta/engine/concurrency.js'

/** A task per item that resolves when released, recording how many run at once. */
function gated() {
  let running = 0
  let peak = 0
  const started: number[] = []
  const fn = async (n: number) => {
    started.push(n)
    peak = Math.max(peak, ++running)
    await new Promise((r) => setTimeout(r, (5 - (n % 5)) * 2))
    running--
    if (n < 0) throw new Error(`item ${n}`)
    return n * 10
  }
  return { fn, started, peak: () => peak }
}

describe('mapLimit', () => {
  it('keeps the order of results with at most limit calls in flight', async () => {
    const g = gated()
    expect(await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, g.fn)).toEqual([10, 20, 30, 40, 50, 60, 70])
    expect(g.peak()).toBe(3)
  })
})

describe('mapAhead', () => {
  it('yields in order, starting at most limit calls ahead of the consumer', async () => {
    const g = gated()
    const out: number[] = []
    for await (const v of mapAhead([1, 2, 3, 4, 5, 6, 7], 3, g.fn)) {
      // Besides the value in hand, at most `limit` calls have started.
      expect(g.started.length).toBeLessThanOrEqual(out.length + 1 + 3)
      out.push(v)
    }
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70])
    expect(g.peak()).toBe(3)
  })

  it('surfaces a failure when the consumer reaches it, after the values before it', async () => {
    const g = gated()
    const out: number[] = []
    await expect((async () => {
      for await (const v of mapAhead([1, 2, -3, 4], 2, g.fn)) out.push(v)
    })()).rejects.toThrow('item -3')
    expect(out).toEqual([10, 20])
  })
})
