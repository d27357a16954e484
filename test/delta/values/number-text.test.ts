import { describe, expect, it } from 'vitest'
import { integerRange, isFloatText } from '../../../src/delta/values/number-text.js'

describe('number-text: what filter literals and partition values accept as numbers', () => {
  it('gives the ranges of the integer types only', () => {
    expect(integerRange('byte')).toEqual([-128n, 127n])
    expect(integerRange('integer')).toEqual([-2147483648n, 2147483647n])
    expect(integerRange('long')).toEqual([-(2n ** 63n), 2n ** 63n - 1n])
    expect(integerRange('double')).toBeUndefined()
    expect(integerRange('toString')).toBeUndefined()
  })

  it('accepts plain and scientific decimals, nothing else', () => {
    for (const t of ['1', '-1.5', '+.5', '5.', '2e3', '1E-3']) expect(isFloatText(t), t).toBe(true)
    for (const t of ['', '.', 'e3', '1e', '0x10', '1_000', 'NaN', ' 1']) expect(isFloatText(t), t).toBe(false)
  })
})
