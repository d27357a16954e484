import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { col, evaluateSqlValues } from '../../../../src/delta/expr/index.js'
import { parseSchema, type StructType } from '../../../../src/delta/model/schema.js'
import { applyGeneratedColumns, generatedColumnsOf } from '../../../../src/delta/write/features/generated.js'
import { corpusDir, hasCorpus } from '../../../conformance/corpus.js'
import { caught, field, struct, tableOf } from './helpers.js'

const gen = (expression: string) => ({ 'delta.generationExpression': expression })
const schema: StructType = struct(
  field('ts', 'timestamp'),
  field('year', 'integer', gen('year(ts)')),
  field('amount', 'decimal(10,2)'),
  field('with_tax', 'decimal(12,2)', gen('amount * 1.2')),
  field('name', 'string'),
)
const input = tableOf({
  ts: { type: 'timestamp', values: [1_704_110_400_000_000n, null, 0n] },
  amount: { type: 'decimal(10,2)', values: [1000n, 1n, null] },
  name: { type: 'string', values: ['a', 'b', 'c'] },
})

describe('applyGeneratedColumns', () => {
  it('computes missing generated columns, cast to the column type, in schema order', () => {
    const out = applyGeneratedColumns(input, schema)
    expect(out.schema.fields.map((f) => f.name)).toEqual(['ts', 'year', 'amount', 'with_tax', 'name'])
    expect([...out.getChild('year')!]).toEqual([2024, null, 1970])
    // 10.00 * 1.2 = 12.000 -> decimal(12,2) 12.00; 0.01 * 1.2 = 0.012 -> 0.01 (half up)
    expect(String(out.getChild('with_tax')!.type)).toBe('Decimal[12e+2]')
    expect(evaluateSqlValues(col('with_tax', 'decimal(12,2)'), out)).toEqual([1200n, 1n, null])
    expect(out.getChild('name')!.toArray()).toEqual(['a', 'b', 'c'])
    expect(out.numRows).toBe(3)
  })

  it('accepts provided values equal to the expression, NULLs included', () => {
    const given = tableOf({
      ts: { type: 'timestamp', values: [1_704_110_400_000_000n, null] },
      year: { type: 'integer', values: [2024, null] },
      amount: { type: 'decimal(10,2)', values: [1000n, null] },
      with_tax: { type: 'decimal(12,2)', values: [1200n, null] },
    })
    const out = applyGeneratedColumns(given, schema)
    expect(out.numRows).toBe(2)
  })

  it('computes a column that schema alignment filled with nulls', () => {
    const aligned = tableOf({
      ts: { type: 'timestamp', values: [0n] }, year: { type: 'integer', values: [null] }, amount: { type: 'decimal(10,2)', values: [1n] },
    })
    expect([...applyGeneratedColumns(aligned, schema).getChild('year')!]).toEqual([1970])
  })

  it('refuses provided values that differ, naming column, expression and count', () => {
    const given = tableOf({
      ts: { type: 'timestamp', values: [1_704_110_400_000_000n, null, 0n] },
      year: { type: 'integer', values: [2024, 1999, 1971] },
      amount: { type: 'decimal(10,2)', values: [1n, 1n, 1n] },
    })
    const e = caught(() => applyGeneratedColumns(given, schema))
    expect(e.code).toBe('ConstraintViolation')
    expect(e.message).toContain("generated column 'year' must equal year(ts)")
    expect(e.message).toContain('2 of 3 rows differ')
    expect(e.message).toContain('(row 1) has 1999 where year(ts) is NULL')
  })

  it('refuses expressions it cannot compute, and inputs the data lacks', () => {
    const bad = struct(field('a', 'integer'), field('h', 'string', gen('md5(a)')))
    expect(caught(() => applyGeneratedColumns(tableOf({ a: { type: 'integer', values: [1] } }), bad)).code).toBe('UnsupportedFeature')
    const needs = caught(() => applyGeneratedColumns(tableOf({ name: { type: 'string', values: ['x'] } }), schema))
    expect(needs.code).toBe('InvalidArgument')
    expect(needs.message).toContain("needs column 'ts'")
  })

  it('reports overflow while computing as a data error naming the column', () => {
    const s = struct(field('a', 'integer'), field('b', 'integer', gen('a + 1')))
    const e = caught(() => applyGeneratedColumns(tableOf({ a: { type: 'integer', values: [2147483647] } }), s))
    expect(e.code).toBe('InvalidData')
    expect(e.message).toContain("generated column 'b'")
  })

  it('refuses a generated value that does not fit the column type', () => {
    const s = struct(field('a', 'long'), field('b', 'integer', gen('a * 2')))
    const e = caught(() => applyGeneratedColumns(tableOf({ a: { type: 'long', values: [5_000_000_000n] } }), s))
    expect(e.code).toBe('InvalidData')
  })

  it('keeps record batches and leaves tables without generated columns alone', () => {
    const plain = struct(field('name', 'string'))
    const t = tableOf({ name: { type: 'string', values: ['x'] } })
    expect(applyGeneratedColumns(t, plain)).toBe(t)
    const twoBatches = input.concat(input)
    const out = applyGeneratedColumns(twoBatches, schema)
    expect(out.batches.length).toBe(2)
    expect([...out.getChild('year')!]).toEqual([2024, null, 1970, 2024, null, 1970])
  })
})

const corpus = corpusDir()
describe.skipIf(!hasCorpus(corpus))('corpus: dbr_8_1_generated_columns', () => {
  function tableSchema(): StructType {
    const log = readFileSync(join(corpus, 'tables/dbr_8_1_generated_columns/_delta_log/00000000000000000000.json'), 'utf8')
    const meta = log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { metaData?: { schemaString: string } }).find((a) => a.metaData)!
    return parseSchema(meta.metaData!.schemaString)
  }

  it('fills c2 = c1 + 1 and checks given values against it', () => {
    const s = tableSchema()
    expect(generatedColumnsOf(s).map((g) => [g.field.name, g.expression])).toEqual([['c2', 'c1 + 1']])
    const out = applyGeneratedColumns(tableOf({ c1: { type: 'integer', values: [1, null, 41] } }), s)
    expect([...out.getChild('c2')!]).toEqual([2, null, 42])
    const wrong = tableOf({ c1: { type: 'integer', values: [1] }, c2: { type: 'integer', values: [3] } })
    expect(caught(() => applyGeneratedColumns(wrong, s)).code).toBe('ConstraintViolation')
  })
})
