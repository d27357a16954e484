import type { SeenRequest } from '../test/helpers/servers.js'

/**
 * Group a server's requests into sequential waves (round trips). Requests are taken in arrival
 * order; one joins the current wave when it arrived before the earliest response of that wave
 * finished (so it cannot have waited on any of them), and opens a new wave otherwise. A client
 * issuing independent reads together makes one wave of them, however long the latency.
 */
export function requestWaves(requests: readonly SeenRequest[]): SeenRequest[][] {
  const sorted = [...requests].sort((a, b) => (a.receivedAt ?? 0) - (b.receivedAt ?? 0))
  const waves: SeenRequest[][] = []
  let earliestEnd = Number.NEGATIVE_INFINITY
  for (const r of sorted) {
    const end = r.finishedAt ?? Number.POSITIVE_INFINITY
    const current = waves.at(-1)
    if (current && (r.receivedAt ?? 0) < earliestEnd) {
      current.push(r)
      earliestEnd = Math.min(earliestEnd, end)
    } else {
      waves.push([r])
      earliestEnd = end
    }
  }
  return waves
}
