import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { canonicalJson, lastCheckpointChecksum, md5Hex } from '../../../src/delta/checkpoint/json-checksum.js'

describe('lastCheckpointChecksum', () => {
  it("gives PROTOCOL.md's canonical form and checksum of its sample", () => {
    const sample = JSON.parse(`{"k0":"'v 0'", "checksum": "adsaskfljadfkjadfkj", "k1":{"k2": 2, "k3": ["v3", [1, 2], {"k4": "v4", "k5": ["v5", "v6", "v7"]}]}}`) as Record<string, unknown>
    expect(canonicalJson(sample)).toBe('"k0"="%27v%200%27","k1"+"k2"=2,"k1"+"k3"+0="v3","k1"+"k3"+1+0=1,"k1"+"k3"+1+1=2,"k1"+"k3"+2+"k4"="v4","k1"+"k3"+2+"k5"+0="v5","k1"+"k3"+2+"k5"+1="v6","k1"+"k3"+2+"k5"+2="v7"')
    expect(lastCheckpointChecksum(sample)).toBe('6a92d155a59bf2eecbd4b4ec7fd1f875')
  })

  it('computes MD5 as node:crypto does, across block boundaries', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff)
      expect(md5Hex(bytes)).toBe(createHash('md5').update(bytes).digest('hex'))
    }
  })
})
