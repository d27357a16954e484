import { Field, Int32, makeData } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { toArrowField } from '../../../../src/delta/arrow/types.js'
import { checkConstraints, constraintsOf, validateNewConstraint } from '../../../../src/delta/write/features/constraints.js'
import { checkInvariants, checkNotNull, invariantsOf } from '../../../../src/delta/write/features/invariants.js'
import { caught, field, struct, structData, tableFromData, tableOf } from './helpers.js'

const schema = struct(field('id', 'long'), field('price', 'decimal(10,2)'), field('qty', 'integer'), field('name', 'string'))
const rows = tableOf({
  id: { type: 'long', values: [1n, 2n, 3n] },
  price: { type: 'decimal(10,2)', values: [1000n, 25000n, 999n] },
  qty: { type: 'integer', values: [5, 10, null] },
  name: { type: 'string', values: ['a', "it's", 'c'] },
})

describe('checkConstraints: CHECK constraints', () => {
  it('passes when every row makes every constraint TRUE', () => {
    expect(() => checkConstraints(rows, { 'delta.constraints.positive': 'price > 0', 'delta.other': 'x' }, schema)).not.toThrow()
  })

  it('names the constraint, its expression, the count and the first row values', () => {
    const e = caught(() => checkConstraints(rows, { 'delta.constraints.small_order': 'price * qty < 1000' }, schema))
    expect(e.code).toBe('ConstraintViolation')
    expect(e.message).toContain("CHECK constraint 'small_order' (price * qty < 1000)")
    expect(e.message).toContain('violated by 2 of 3 rows')
    expect(e.message).toContain('row 1: price = 250.00, qty = 10')
  })

  it('counts a NULL result as a violation, as the protocol requires', () => {
    const e = caught(() => checkConstraints(rows, { 'delta.constraints.q': 'qty > 0' }, schema))
    expect(e.message).toContain('violated by 1 of 3 rows')
    expect(e.message).toContain('row 2: qty = NULL')
    expect(e.message).toContain('makes it NULL')
  })

  it('quotes string values in the message', () => {
    const e = caught(() => checkConstraints(rows, { 'delta.constraints.n': "name <> 'it''s'" }, schema))
    expect(e.message).toContain("name = 'it''s'")
  })

  it('refuses to write when a constraint cannot be evaluated here', () => {
    const e = caught(() => checkConstraints(rows, { 'delta.constraints.h': 'sha2(name, 256) IS NOT NULL' }, schema))
    expect(e.code).toBe('UnsupportedFeature')
    expect(e.message).toContain("CHECK constraint 'h'")
    expect(e.message).toContain("function 'sha2'")
    expect(caught(() => checkConstraints(rows, { 'delta.constraints.c': 'bround(price, 1) > 0' }, schema)).code).toBe('UnsupportedFeature')
    expect(caught(() => checkConstraints(rows, { 'delta.constraints.v': 'price + 1' }, schema)).code).toBe('UnsupportedFeature')
  })

  it('refuses a constraint that reads the current time: stored expressions must be deterministic', () => {
    const e = caught(() => checkConstraints(rows, { 'delta.constraints.t': 'current_date() > DATE \'2000-01-01\'' }, schema))
    expect(e.code).toBe('UnsupportedFeature')
    expect(e.message).toContain('not deterministic')
  })

  it('names the constraint when evaluation fails on the data', () => {
    const big = tableOf({ qty: { type: 'integer', values: [2147483647] } })
    const e = caught(() => checkConstraints(big, { 'delta.constraints.o': 'qty + 1 > 0' }, struct(field('qty', 'integer'))))
    expect(e.code).toBe('InvalidData')
    expect(e.message).toContain("CHECK constraint 'o'")
  })

  it('lists constraints from the table properties', () => {
    expect(constraintsOf({ 'delta.constraints.a': 'x > 1', 'delta.appendOnly': 'true', 'delta.constraints.b': 'y' }))
      .toEqual([{ name: 'a', expression: 'x > 1' }, { name: 'b', expression: 'y' }])
  })
})

describe('validateNewConstraint', () => {
  it('accepts a constraint the existing rows satisfy and refuses one they break', () => {
    expect(() => validateNewConstraint(rows, 'id_positive', 'id > 0', schema)).not.toThrow()
    const e = caught(() => validateNewConstraint(rows, 'cheap', 'price < 100', schema))
    expect(e.code).toBe('ConstraintViolation')
    expect(e.message).toContain("CHECK constraint 'cheap'")
  })

  it('refuses an expression it could not enforce later, even on an empty table', () => {
    const empty = rows.slice(0, 0)
    expect(caught(() => validateNewConstraint(empty, 'x', 'rand() > 0', schema)).code).toBe('UnsupportedFeature')
  })

  it('refuses a second constraint of the same name', () => {
    const e = caught(() => validateNewConstraint(rows, 'ID_POS', 'id > 0', schema, { 'delta.constraints.id_pos': 'id > 0' }))
    expect(e.code).toBe('InvalidArgument')
  })
})

describe('column invariants', () => {
  const invariant = (expression: string) => ({ 'delta.invariants': JSON.stringify({ expression: { expression } }) })
  const s = struct(field('x', 'integer', invariant('x > 3')), field('n', struct(field('y', 'integer', invariant('n.y < 10')))))

  it('finds invariants at any depth', () => {
    expect(invariantsOf(s)).toEqual([{ path: ['x'], expression: 'x > 3' }, { path: ['n', 'y'], expression: 'n.y < 10' }])
  })

  it('rejects rows where an invariant is FALSE or NULL', () => {
    const y = makeData({ type: new Int32(), length: 3, data: Int32Array.from([1, 2, 30]) })
    const nField = s.fields[1]!
    const n = structData(nField, [y], [true, true, true])
    const x = makeData({ type: new Int32(), length: 3, data: Int32Array.from([4, 5, 6]) })
    const table = tableFromData([toArrowField(s.fields[0]!), toArrowField(nField)], [x, n], 3)
    const e = caught(() => checkInvariants(table, s))
    expect(e.code).toBe('ConstraintViolation')
    expect(e.message).toContain("invariant of column 'n.y' (n.y < 10)")
    expect(e.message).toContain('n.y = 30')
    const withNull = tableOf({ x: { type: 'integer', values: [4, null] } })
    expect(caught(() => checkInvariants(withNull, struct(s.fields[0]!))).message).toContain('makes it NULL')
  })
})

describe('checkNotNull', () => {
  const inner = field('y', 'integer', {}, false)
  const outer = field('s', struct(inner), {}, true)
  const s = struct(field('id', 'long', {}, false), outer)

  function nested(ids: Array<bigint | null>, yValues: Array<number | null>, present: boolean[]) {
    const ys = makeData({
      type: new Int32(), length: yValues.length, data: Int32Array.from(yValues, (v) => v ?? 0),
      nullBitmap: Uint8Array.from([yValues.reduce<number>((m, v, i) => (v === null ? m : m | (1 << i)), 0)]), nullCount: yValues.filter((v) => v === null).length,
    })
    const idTable = tableOf({ id: { type: 'long', values: ids } })
    return tableFromData([idTable.schema.fields[0]! as Field, toArrowField(outer)], [idTable.batches[0]!.data.children[0]!, structData(outer, [ys], present)], ids.length)
  }

  it('requires a nested NOT NULL field only where its struct is present', () => {
    expect(() => checkNotNull(nested([1n, 2n], [5, null], [true, false]), s)).not.toThrow()
    const e = caught(() => checkNotNull(nested([1n, 2n], [5, null], [true, true]), s))
    expect(e.code).toBe('ConstraintViolation')
    expect(e.message).toContain("column 's.y' is NOT NULL")
    expect(e.message).toContain('1 of 2 rows')
    expect(e.message).toContain('row 1')
  })

  it('rejects nulls and missing columns in top-level NOT NULL columns', () => {
    expect(caught(() => checkNotNull(nested([1n, null], [5, 6], [true, true]), s)).message).toContain("column 'id' is NOT NULL")
    const missing = tableOf({ other: { type: 'integer', values: [1] } })
    expect(caught(() => checkNotNull(missing, struct(field('id', 'long', {}, false)))).message).toContain("'id'")
  })

  it('runs as part of checkConstraints', () => {
    expect(caught(() => checkConstraints(nested([null], [1], [true]), {}, s)).code).toBe('ConstraintViolation')
  })
})
