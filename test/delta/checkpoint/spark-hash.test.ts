import { describe, expect, it } from 'vitest'
import { sparkHashInt, sparkHashString, sparkPartition, SPARK_HASH_SEED } from '../../../src/delta/checkpoint/spark-hash.js'

describe('sparkHashString', () => {
  it("gives Spark's documented value of hash('Spark', array(123), 2)", () => {
    // Spark's SQL reference: SELECT hash('Spark', array(123), 2) is -1321691492; the hash chains
    // through each argument (an array through its elements).
    expect(sparkHashInt(2, sparkHashInt(123, sparkHashString('Spark', SPARK_HASH_SEED)))).toBe(-1321691492)
  })

  it('partitions into [0, count), a null key leaving the seed alone', () => {
    for (const n of [2, 3, 7]) {
      for (const p of ['a', 'part-0001.parquet', 'é/ü', '']) {
        const i = sparkPartition([p], n)
        expect(i).toBeGreaterThanOrEqual(0)
        expect(i).toBeLessThan(n)
      }
      expect(sparkPartition([null], n)).toBe(SPARK_HASH_SEED % n)
      expect(sparkPartition(['x', null], n)).toBe(sparkPartition(['x'], n))
    }
  })
})
