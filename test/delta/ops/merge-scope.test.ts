import { tableFromArrays } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import { evaluateSqlValues } from '../../../src/delta/expr/index.js'
import type { StructType } from '../../../src/delta/model/schema.js'
import { MergeScope } from '../../../src/delta/ops/merge/scope.js'

const target: StructType = { type: 'struct', fields: [
  { name: 'id', type: 'long', nullable: false, metadata: {} },
  { name: 'amount', type: 'double', nullable: true, metadata: {} },
] }
const source: StructType = { type: 'struct', fields: [
  { name: 'id', type: 'long', nullable: true, metadata: {} },
  { name: 'delta', type: 'double', nullable: true, metadata: {} },
  { name: 'addr', type: { type: 'struct', fields: [{ name: 'city', type: 'string', nullable: true, metadata: {} }] }, nullable: true, metadata: {} },
] }

describe('MergeScope', () => {
  const scope = new MergeScope(target, source, 't', 's')
  const rows = {
    target: tableFromArrays({ id: BigInt64Array.from([1n, 2n]), amount: Float64Array.from([10, 20]) }),
    source: tableFromArrays({ id: BigInt64Array.from([1n, 2n]), delta: Float64Array.from([0.5, 1.5]) }),
  }

  it('binds qualified names, and bare names only one side has', () => {
    const e = scope.parse('t.amount + delta', 'join')
    expect(evaluateSqlValues(e, scope.table('join', rows))).toEqual([10.5, 21.5])
    expect([...scope.sidesRead(scope.parse('t.id = s.id', 'join'))].sort()).toEqual(['source', 'target'])
  })

  it('refuses a bare name both sides have, naming it', () => {
    expect(() => scope.parse('id > 1', 'join')).toThrow(/'id' is ambiguous/)
  })

  it('lets an insert clause see the source only, and a by-source clause the target only', () => {
    expect(() => scope.parse('t.amount > 0', 'notMatched')).toSatisfy(throwsInvalid)
    expect(() => scope.parse('s.delta > 0', 'notMatchedBySource')).toSatisfy(throwsInvalid)
    expect(evaluateSqlValues(scope.parse('id * 2', 'notMatched'), scope.table('notMatched', { source: rows.source }))).toEqual([2n, 4n])
  })

  it('reaches into struct fields behind an alias', () => {
    const e = scope.parse("s.addr.city = 'Oslo'", 'notMatched')
    expect(e.kind).toBe('compare')
  })

  it('refuses equal aliases', () => {
    expect(() => new MergeScope(target, source, 'x', 'X')).toThrow(/must differ/)
  })
})

function throwsInvalid(f: () => unknown): boolean {
  try {
    f()
    return false
  } catch (e) {
    return isDeltaError(e, 'InvalidArgument')
  }
}
