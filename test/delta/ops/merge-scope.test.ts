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

describe('merge join keys', () => {
  it('match long keys across the whole range, read from the column or computed', async () => {
    const { SourceIndex, equiJoinKeys } = await import('../../../src/delta/ops/merge/join.js')
    const edge = [0n, -1n, 1n, 2n ** 53n - 1n, -(2n ** 53n) + 1n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 4294967296n, -4294967296n]
    const target: StructType = { type: 'struct', fields: [{ name: 'k', type: 'long', nullable: true, metadata: {} }] }
    const source: StructType = { type: 'struct', fields: [{ name: 'k', type: 'integer', nullable: true, metadata: {} }, { name: 'j', type: 'long', nullable: true, metadata: {} }] }
    const scope = new MergeScope(target, source, 't', 's')
    // t.k = s.j: both sides plain long columns; the target side is read from its words.
    const keys = equiJoinKeys(scope.parse('t.k = s.j', 'join'), scope)
    const src = tableFromArrays({ k: Int32Array.from(edge.map(() => 0)), j: BigInt64Array.from([...edge].reverse()) })
    const index = new SourceIndex(keys, scope.table('join', { source: src }))
    const tgt = tableFromArrays({ k: BigInt64Array.from(edge) })
    const { t, s } = index.candidates(keys.target, scope.table('join', { target: tgt }))
    expect(Array.from(t)).toEqual(edge.map((_, i) => i))
    expect(Array.from(s)).toEqual(edge.map((_, i) => edge.length - 1 - i))
  })
})
