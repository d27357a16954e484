import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { col, evaluateSqlValues } from '../../../../src/delta/expr/index.js'
import { parseSchema, type StructType } from '../../../../src/delta/model/schema.js'
import { assignIdentityValues, identityInfoOf, nextIdentityValue } from '../../../../src/delta/write/features/identity.js'
import { corpusDir, hasCorpus } from '../../../conformance/corpus.js'
import { caught, field, struct, tableOf } from './helpers.js'

const identity = (start: number, step: number, extra: Record<string, unknown> = {}) => ({
  'delta.identity.start': start, 'delta.identity.step': step, 'delta.identity.allowExplicitInsert': false, ...extra,
})
const names = (n: number) => tableOf({ name: { type: 'string', values: Array.from({ length: n }, (_, i) => `r${i}`) } })
const ids = (t: Parameters<typeof evaluateSqlValues>[1]) => evaluateSqlValues(col('id', 'long'), t)

describe('assignIdentityValues', () => {
  it('starts at start and records the high-water mark', () => {
    const schema = struct(field('id', 'long', identity(1, 1)), field('name', 'string'))
    const out = assignIdentityValues(names(3), schema)
    expect(out.table.schema.fields.map((f) => f.name)).toEqual(['id', 'name'])
    expect(ids(out.table)).toEqual([1n, 2n, 3n])
    expect(out.schema.fields[0]!.metadata['delta.identity.highWaterMark']).toBe(3)
    expect(schema.fields[0]!.metadata['delta.identity.highWaterMark']).toBeUndefined()
    const again = assignIdentityValues(names(2), out.schema)
    expect(ids(again.table)).toEqual([4n, 5n])
    expect(again.schema.fields[0]!.metadata['delta.identity.highWaterMark']).toBe(5)
  })

  it('continues on the start + k * step lattice after the high-water mark, negative steps too', () => {
    const up = struct(field('id', 'long', identity(10, 5, { 'delta.identity.highWaterMark': 22 })), field('name', 'string'))
    expect(ids(assignIdentityValues(names(2), up).table)).toEqual([25n, 30n])
    const down = struct(field('id', 'long', identity(-1, -3, { 'delta.identity.highWaterMark': -4 })), field('name', 'string'))
    const out = assignIdentityValues(names(3), down)
    expect(ids(out.table)).toEqual([-7n, -10n, -13n])
    expect(out.schema.fields[0]!.metadata['delta.identity.highWaterMark']).toBe(-13)
    expect(nextIdentityValue({ start: 100n, step: 1n, highWaterMark: 5n, allowExplicitInsert: true })).toBe(100n)
  })

  it('refuses step 0 and long overflow', () => {
    const zero = struct(field('id', 'long', identity(1, 0)), field('name', 'string'))
    expect(caught(() => assignIdentityValues(names(1), zero)).code).toBe('InvalidArgument')
    expect(() => identityInfoOf(zero.fields[0]!)).toThrow(/step 0/)
    const near = struct(field('id', 'long', { ...identity(1, 1), 'delta.identity.highWaterMark': '9223372036854775806' }), field('name', 'string'))
    expect(caught(() => assignIdentityValues(names(2), near)).message).toContain('overflow')
  })

  it('refuses explicit values unless allowExplicitInsert', () => {
    const always = struct(field('id', 'long', identity(1, 1)), field('name', 'string'))
    const given = tableOf({ id: { type: 'long', values: [7n] }, name: { type: 'string', values: ['x'] } })
    const e = caught(() => assignIdentityValues(given, always))
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toContain("identity column 'id'")
  })

  it('generates values for a column that schema alignment filled with nulls', () => {
    const always = struct(field('id', 'long', identity(1, 1)), field('name', 'string'))
    const aligned = tableOf({ id: { type: 'long', values: [null, null] }, name: { type: 'string', values: ['x', 'y'] } })
    expect(ids(assignIdentityValues(aligned, always).table)).toEqual([1n, 2n])
  })

  it('keeps explicit values where allowed and moves the high-water mark past them, on the lattice', () => {
    const byDefault = struct(field('id', 'long', identity(1, 2, { 'delta.identity.allowExplicitInsert': true, 'delta.identity.highWaterMark': 3 })), field('name', 'string'))
    const given = tableOf({ id: { type: 'long', values: [10n, null, 2n] }, name: { type: 'string', values: ['x', 'y', 'z'] } })
    const out = assignIdentityValues(given, byDefault)
    expect(ids(out.table)).toEqual([10n, null, 2n])
    expect(out.schema.fields[0]!.metadata['delta.identity.highWaterMark']).toBe(11)
    const below = tableOf({ id: { type: 'long', values: [-50n] }, name: { type: 'string', values: ['x'] } })
    const same = assignIdentityValues(below, byDefault)
    expect(same.schema).toBe(byDefault)
  })

  it('returns the same schema object when nothing was generated', () => {
    const schema = struct(field('id', 'long', identity(1, 1)), field('name', 'string'))
    expect(assignIdentityValues(names(0), schema).schema).toBe(schema)
    const plain = struct(field('name', 'string'))
    const t = names(2)
    const out = assignIdentityValues(t, plain)
    expect(out.schema).toBe(plain)
    expect(out.table).toBe(t)
  })
})

const corpus = corpusDir()
function metadataSchemas(table: string): StructType[] {
  const dir = join(corpus, 'tables', table, '_delta_log')
  return readdirSync(dir).filter((f) => /^\d{20}\.json$/.test(f)).sort().flatMap((f) =>
    readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { metaData?: { schemaString: string } })
      .flatMap((a) => (a.metaData ? [parseSchema(a.metaData.schemaString)] : [])))
}

describe.skipIf(!hasCorpus(corpus))('corpus identity columns', () => {
  it('identity_test_written_by_version_5: explicit-insert column continues after highWaterMark 4', () => {
    const schema = metadataSchemas('identity_test_written_by_version_5').at(-1)!
    const info = identityInfoOf(schema.fields[0]!)
    expect(info).toEqual({ start: 1n, step: 1n, highWaterMark: 4n, allowExplicitInsert: true })
    const rows = tableOf({ part: { type: 'integer', values: [1, 2] }, value: { type: 'string', values: ['a', 'b'] } })
    const out = assignIdentityValues(rows, schema)
    expect(ids(out.table)).toEqual([5n, 6n])
    expect(out.table.schema.fields.map((f) => f.name)).toEqual(['id', 'part', 'value'])
  })

  it('checkpoint-v2-table: every generated value lies beyond the recorded high-water mark', () => {
    const schemas = metadataSchemas('checkpoint-v2-table')
    const last = schemas.at(-1)!
    const info = identityInfoOf(last.fields[0]!)
    expect(info.allowExplicitInsert).toBe(false)
    const rows = tableOf({ name: { type: 'string', values: ['p', 'q'] }, created_at: { type: 'timestamp', values: [0n, 1n] } })
    const out = assignIdentityValues(rows, last)
    expect(ids(out.table)).toEqual([info.highWaterMark! + 1n, info.highWaterMark! + 2n])
    // Spark moved the mark forward commit by commit; ours continues the same sequence.
    const marks = schemas.map((s) => s.fields[0]!.metadata['delta.identity.highWaterMark']).filter((m) => m !== undefined) as number[]
    expect(marks).toEqual([...marks].sort((a, b) => a - b))
    expect(out.schema.fields[0]!.metadata['delta.identity.highWaterMark']).toBe(Number(info.highWaterMark) + 2)
    const explicit = tableOf({ id: { type: 'long', values: [1n] }, name: { type: 'string', values: ['p'] } })
    expect(caught(() => assignIdentityValues(explicit, last)).code).toBe('InvalidArgument')
  })
})
