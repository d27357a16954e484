import { describe, expect, it } from 'vitest'
import { MAX_SCHEMA_DEPTH, parseSchema } from '../../../src/delta/model/schema.js'
import { caught } from '../../helpers/caught.js'

const field = (name: string, type: unknown = 'long', extra: object = {}) => ({ name, type, nullable: true, metadata: {}, ...extra })
const struct = (...fields: object[]) => ({ type: 'struct', fields })
const schema = (...fields: object[]) => JSON.stringify(struct(...fields))

/**
 * A schema whose column is nested `depth` levels deep, through structs, arrays and maps in turn,
 * built as text (JSON.stringify cannot follow 100,000 levels).
 */
function nested(depth: number): string {
  let open = ''
  let close = ''
  for (let i = 0; i < depth; i++) {
    if (i % 3 === 0) {
      open += '{"type":"struct","fields":[{"name":"x","nullable":true,"metadata":{},"type":'
      close = `}]}${close}`
    } else if (i % 3 === 1) {
      open += '{"type":"array","containsNull":true,"elementType":'
      close = `}${close}`
    } else {
      open += '{"type":"map","keyType":"string","valueContainsNull":true,"valueType":'
      close = `}${close}`
    }
  }
  return `{"type":"struct","fields":[{"name":"c","nullable":true,"metadata":{},"type":${open}"long"${close}}]}`
}

describe('parseSchema', () => {
  it('refuses column names equal regardless of case, at every level', () => {
    const cases = [
      schema(field('a'), field('A')),
      schema(field('id'), field('name'), field('ID')),
      schema(field('s', struct(field('x'), field('X')))),
      schema(field('l', { type: 'array', elementType: struct(field('Straße'), field('straße')), containsNull: true })),
      schema(field('m', { type: 'map', keyType: 'string', valueType: struct(field('k'), field('K')), valueContainsNull: true })),
    ]
    for (const s of cases) {
      const e = caught(() => parseSchema(s))
      expect(e.code).toBe('InvalidLog')
      expect(e.message).toMatch(/have the same name/)
    }
    expect(parseSchema(schema(field('a'), field('b'), field('s', struct(field('a')))))).toBeTruthy()
  })

  it(`refuses types nested deeper than ${MAX_SCHEMA_DEPTH} levels with InvalidLog, never a stack overflow`, () => {
    for (const depth of [MAX_SCHEMA_DEPTH + 1, 2_000, 100_000]) {
      const e = caught(() => parseSchema(nested(depth)))
      expect(e.code).toBe('InvalidLog')
      expect(e.message).toMatch(/nested more than 128 levels/)
      expect(e.message.length).toBeLessThan(600)
    }
    expect(parseSchema(nested(MAX_SCHEMA_DEPTH - 2)).fields[0]!.name).toBe('c')
  })

  it('refuses fields and flags of the wrong shape', () => {
    for (const s of [
      JSON.stringify(struct(field('a', 'long', { nullable: 'yes' }))),
      JSON.stringify(struct(field('a', 'long', { metadata: [] }))),
      JSON.stringify({ type: 'struct', fields: [42] }),
      JSON.stringify(struct(field('a', { type: 'array', elementType: 'long', containsNull: 1 }))),
      JSON.stringify(struct(field('a', { type: 42 }))),
      JSON.stringify({ type: 'struct', fields: {} }),
      '[]',
    ]) {
      expect(caught(() => parseSchema(s)).code, s).toBe('InvalidLog')
    }
    expect(caught(() => parseSchema(schema(field('a', 'variant')))).code).toBe('UnsupportedFeature')
  })
})
