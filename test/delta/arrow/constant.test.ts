import { Table, makeVector, tableFromIPC, tableToIPC, type Vector } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { constantVector, nullData, toArrowType, vectorToPlain } from '../../../src/delta/arrow/index.js'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import type { Scalar } from '../../../src/delta/model/scalar.js'
import type { DeltaType } from '../../../src/delta/model/schema.js'

/** The vector after a trip through IPC, proving its buffers are complete. */
function viaIpc(v: Vector): Vector {
  return tableFromIPC(tableToIPC(new Table({ c: v }))).getChild('c')!
}

describe('constantVector', () => {
  const cases: [DeltaType, Scalar, unknown][] = [
    ['byte', -128, -128],
    ['short', 32767, 32767],
    ['integer', -7, -7],
    ['long', -(2n ** 63n), -(2n ** 63n)],
    ['long', 42, 42],
    ['float', 1.5, 1.5],
    ['double', -0.1, -0.1],
    ['boolean', true, true],
    ['boolean', false, false],
    ['string', 'insert', 'insert'],
    ['string', '', ''],
    ['string', 'zwölf €', 'zwölf €'],
    ['binary', Uint8Array.from([0, 255]), Uint8Array.from([0, 255])],
    ['date', -1, '1969-12-31'],
    ['timestamp', 1_700_000_000_123_456n, '2023-11-14T22:13:20.123456Z'],
    ['timestamp_ntz', -1n, '1969-12-31T23:59:59.999999'],
    ['decimal(38,2)', -(10n ** 38n - 1n), '-999999999999999999999999999999999999.99'],
    ['decimal(5,2)', 12345n, '123.45'],
  ]
  for (const [type, value, plain] of cases) {
    it(`repeats a ${type} value`, () => {
      const v = constantVector(type, value, 5)
      expect(String(v.type)).toBe(String(toArrowType(type)))
      expect(v.length).toBe(5)
      expect(v.nullCount).toBe(0)
      expect(vectorToPlain(v)).toEqual(Array(5).fill(plain))
      expect(vectorToPlain(viaIpc(v))).toEqual(Array(5).fill(plain))
    })
  }

  it('gives an all-null column for null, of any type', () => {
    const types: DeltaType[] = ['string', 'long', 'boolean', 'decimal(10,2)', 'timestamp',
      { type: 'struct', fields: [{ name: 'a', type: 'integer', nullable: true, metadata: {} }] },
      { type: 'array', elementType: 'string', containsNull: true },
      { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true }]
    for (const t of types) {
      const v = constantVector(t, null, 4)
      expect(v.length).toBe(4)
      expect(v.nullCount).toBe(4)
      expect(vectorToPlain(viaIpc(v))).toEqual([null, null, null, null])
    }
  })

  it('handles zero rows and a million rows', () => {
    expect(constantVector('string', 'x', 0).length).toBe(0)
    const big = constantVector('string', 'commit-value', 1_000_000)
    const data = big.data[0]!
    expect((data.valueOffsets as Int32Array)[1_000_000]).toBe(12_000_000)
    expect(big.get(999_999)).toBe('commit-value')
    expect(constantVector('decimal(20,3)', 5n, 1_000_001).get(1_000_000)).toEqual(constantVector('decimal(20,3)', 5n, 1).get(0))
  })

  it('refuses a value that does not fit the type', () => {
    const bad: [DeltaType, Scalar][] = [['byte', 128], ['integer', 1.5], ['long', 2n ** 63n], ['long', 2 ** 60],
      ['string', 1], ['boolean', 'true'], ['decimal(3,0)', 1000n], ['decimal(3,0)', 5], ['date', 1n], ['binary', 'x']]
    for (const [type, value] of bad) {
      let err: unknown
      try {
        constantVector(type, value, 2)
      } catch (e) {
        err = e
      }
      expect(isDeltaError(err, 'InvalidArgument'), `${type} ${String(value)}`).toBe(true)
    }
    expect(() => constantVector({ type: 'array', elementType: 'long', containsNull: true }, 1, 1)).toThrow()
  })
})

describe('nullData', () => {
  it('allocates full-size buffers, so nested null columns survive IPC', () => {
    const t = toArrowType({
      type: 'struct',
      fields: [
        { name: 'l', type: { type: 'array', elementType: 'decimal(10,1)', containsNull: true }, nullable: true, metadata: {} },
        { name: 'm', type: { type: 'map', keyType: 'string', valueType: 'binary', valueContainsNull: true }, nullable: true, metadata: {} },
      ],
    })
    const data = nullData(t, 3)
    expect(data.children.map((c) => c.nullCount)).toEqual([3, 3])
    const back = tableFromIPC(tableToIPC(new Table({ s: makeVector(data) }))).getChild('s')!
    expect(back.nullCount).toBe(3)
    expect(vectorToPlain(back)).toEqual([null, null, null])
  })
})
