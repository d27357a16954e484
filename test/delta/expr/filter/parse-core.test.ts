import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../../src/delta/engine/errors.js'
import { parseRawFilter } from '../../../../src/delta/expr/filter/parse.js'
import { parseRawSql } from '../../../../src/delta/expr/sql/parse.js'

function errorOf(f: () => unknown): { code: string; message: string } {
  try {
    f()
  } catch (e) {
    if (isDeltaError(e)) return { code: e.code, message: e.message }
    throw e
  }
  throw new Error('expected a DeltaError')
}

// Filters and SQL expressions share one parser (expr/parse-core.ts): these pin down where the
// filter grammar is the SQL one restricted, and that each keeps its own tree and wording.
describe('one grammar for filters and SQL expressions', () => {
  it('builds n-ary junctions for filters and SQL alike, from one parse', () => {
    expect(parseRawFilter('a OR b OR c')).toMatchObject({ kind: 'or', args: [{ kind: 'operand' }, { kind: 'operand' }, { kind: 'operand' }] })
    expect(parseRawFilter('(a OR b) OR c')).toMatchObject({ kind: 'or', args: [{ kind: 'or' }, { kind: 'operand' }] })
    expect(parseRawSql('a OR b OR c')).toMatchObject({ kind: 'junction', op: 'OR', positions: [2, 7], args: [{ kind: 'column' }, { kind: 'column' }, { kind: 'column' }] })
  })

  it('keeps operators as written for SQL and normalised for filters', () => {
    expect(parseRawFilter('a <> 1')).toMatchObject({ kind: 'compare', op: '!=' })
    expect(parseRawSql('a <> 1')).toMatchObject({ kind: 'binary', op: '<>', pos: 2 })
    expect(parseRawSql('a <=> 1')).toMatchObject({ kind: 'binary', op: '<=>' })
  })

  it('parenthesises only conditions in filters, any value in SQL', () => {
    expect(parseRawSql('(a) = 1')).toMatchObject({ kind: 'binary', op: '=', left: { kind: 'column', path: ['a'] } })
    expect(errorOf(() => parseRawFilter('(a) = 1')).message).toMatch(/expected AND, OR or the end of the filter, found '='/)
    expect(errorOf(() => parseRawFilter('a = (1)')).message).toMatch(/expected a column or a value, found '\(1\)' at position 5/)
  })

  it('refuses what only SQL has by name in filters, and reads AS as a column there', () => {
    expect(errorOf(() => parseRawFilter('CAST(a AS int) = 1'))).toMatchObject({ code: 'UnsupportedFeature', message: expect.stringMatching(/function 'CAST'/) })
    expect(errorOf(() => parseRawFilter('a = -b'))).toMatchObject({ code: 'UnsupportedFeature', message: expect.stringMatching(/arithmetic \('-' at position 5\)/) })
    expect(errorOf(() => parseRawFilter('!a')).message).toMatch(/expected a column or a value, found '!a' at position 1/)
    expect(parseRawFilter('AS = 1')).toMatchObject({ kind: 'compare', left: { kind: 'column', path: ['AS'] } })
    expect(parseRawSql('CAST(a AS decimal(10, 2))')).toMatchObject({ kind: 'cast', typeName: 'decimal(10,2)' })
    expect(errorOf(() => parseRawSql('AS = 1')).message).toMatch(/expected a column, a value or a function, found 'AS'/)
  })

  it('names the text as a filter or an expression, in lexer errors too', () => {
    expect(errorOf(() => parseRawFilter("a = 'x")).message).toMatch(/^invalid filter: unterminated string at position 5/)
    expect(errorOf(() => parseRawSql("a = 'x")).message).toMatch(/^invalid expression: unterminated string at position 5/)
    expect(errorOf(() => parseRawFilter('')).message).toMatch(/the filter is empty; expected a condition/)
    expect(errorOf(() => parseRawSql('a +')).message).toMatch(/found the end of the expression at the end of the expression/)
  })
})
