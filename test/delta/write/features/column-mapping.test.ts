import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parquetMetadata } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { arrowToPlain, conformTable } from '../../../../src/delta/arrow/index.js'
import { isDeltaError } from '../../../../src/delta/engine/errors.js'
import type { ByteSource } from '../../../../src/delta/engine/parquet-codec.js'
import { parseSchema, type StructField, type StructType } from '../../../../src/delta/model/schema.js'
import { assignColumnMapping, maxColumnIdOf, toPhysicalTable } from '../../../../src/delta/write/features/column-mapping-assign.js'
import { nodeParquetCodec } from '../../../../src/parquet/node.js'
import { corpusDir, hasCorpus } from '../../../conformance/corpus.js'
import { field, struct, structData, tableFromData, tableOf } from './helpers.js'
import { toArrowField } from '../../../../src/delta/arrow/types.js'

const ID = 'delta.columnMapping.id'
const PHYSICAL = 'delta.columnMapping.physicalName'

const schema: StructType = struct(
  field('id', 'long'),
  field('s', struct(field('a', 'integer'), field('b', 'string'))),
  field('tags', { type: 'array', elementType: struct(field('k', 'string')), containsNull: true }),
  field('m', { type: 'map', keyType: 'string', valueType: struct(field('v', 'double')), valueContainsNull: true }),
)

function allFields(t: StructType): StructField[] {
  const out: StructField[] = []
  const visit = (type: StructField['type']): void => {
    if (typeof type === 'string') return
    if (type.type === 'struct') for (const f of type.fields) { out.push(f); visit(f.type) }
    else if (type.type === 'array') visit(type.elementType)
    else { visit(type.keyType); visit(type.valueType) }
  }
  visit(t)
  return out
}

function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) }
}

function footerFields(bytes: Uint8Array): Array<[string, number]> {
  const md = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  return md.schema.filter((e) => e.field_id !== undefined).map((e) => [e.name, Number(e.field_id)])
}

describe('assignColumnMapping', () => {
  it('gives every field, nested ones too, a unique id and a col-<uuid> physical name', () => {
    const { schema: mapped, maxColumnId } = assignColumnMapping(schema, 0)
    const fields = allFields(mapped)
    expect(fields.map((f) => f.name)).toEqual(['id', 's', 'a', 'b', 'tags', 'k', 'm', 'v'])
    expect(fields.map((f) => f.metadata[ID])).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(maxColumnId).toBe(8)
    for (const f of fields) expect(f.metadata[PHYSICAL]).toMatch(/^col-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(new Set(fields.map((f) => f.metadata[PHYSICAL])).size).toBe(fields.length)
    expect(allFields(schema)[0]!.metadata[ID]).toBeUndefined()
  })

  it('keeps existing ids and names and continues after the max id (schema evolution)', () => {
    const { schema: mapped } = assignColumnMapping(schema, 0)
    const evolved: StructType = { ...mapped, fields: [...mapped.fields, field('added', 'string')] }
    const again = assignColumnMapping(evolved, 8)
    expect(again.maxColumnId).toBe(9)
    expect(again.schema.fields.slice(0, 4)).toEqual(mapped.fields)
    expect(again.schema.fields[4]!.metadata[ID]).toBe(9)
    expect(assignColumnMapping(evolved, 20).schema.fields[4]!.metadata[ID]).toBe(21)
    expect(maxColumnIdOf(again.schema)).toBe(9)
  })

  it('can keep display names as physical names (enabling mapping on an existing table)', () => {
    const { schema: mapped } = assignColumnMapping(schema, 0, { physicalNames: 'name' })
    expect(allFields(mapped).map((f) => f.metadata[PHYSICAL])).toEqual(['id', 's', 'a', 'b', 'tags', 'k', 'm', 'v'])
  })
})

describe('toPhysicalTable', () => {
  const simple = struct(
    field('id', 'long', { [ID]: 1, [PHYSICAL]: 'col-id' }),
    field('s', struct(field('a', 'integer', { [ID]: 3, [PHYSICAL]: 'col-a' })), { [ID]: 2, [PHYSICAL]: 'col-s' }),
  )
  function data() {
    const ids = tableOf({ id: { type: 'long', values: [1n, 2n] } })
    const a = tableOf({ a: { type: 'integer', values: [10, null] } })
    const s = structData(simple.fields[1]!, [a.batches[0]!.data.children[0]!], [true, false])
    const logicalS = toArrowField({ ...simple.fields[1]!, type: struct(field('a', 'integer')) })
    return tableFromData([ids.schema.fields[0]!, logicalS], [ids.batches[0]!.data.children[0]!, s], 2)
  }

  it('renames columns at every depth and records field ids', () => {
    const out = toPhysicalTable(data(), simple, 'name')
    expect(out.schema.fields.map((f) => f.name)).toEqual(['col-id', 'col-s'])
    expect(out.schema.fields.map((f) => f.metadata.get('PARQUET:field_id'))).toEqual(['1', '2'])
    const inner = out.schema.fields[1]!.type.children[0]!
    expect([inner.name, inner.metadata.get('PARQUET:field_id')]).toEqual(['col-a', '3'])
    expect(arrowToPlain(out)).toEqual([{ 'col-id': 1, 'col-s': { 'col-a': 10 } }, { 'col-id': 2, 'col-s': null }])
  })

  it("leaves the table alone in mode 'none' and refuses columns the schema lacks", () => {
    const t = data()
    expect(toPhysicalTable(t, simple, 'none')).toBe(t)
    const extra = tableOf({ id: { type: 'long', values: [1n] }, s: { type: 'string', values: ['x'] }, z: { type: 'integer', values: [1] } })
    expect(() => toPhysicalTable(extra, simple)).toThrow(/'z'/)
    const missing = tableOf({ id: { type: 'long', values: [1n] } })
    try {
      toPhysicalTable(missing, simple)
      throw new Error('expected an error')
    } catch (e) {
      expect(isDeltaError(e, 'SchemaMismatch')).toBe(true)
    }
  })

  it('writes physical names and field ids that parquet-wasm puts in the footer', async () => {
    const codec = await nodeParquetCodec()
    const bytes = await codec.write(toPhysicalTable(data(), simple, 'id'))
    expect(footerFields(bytes)).toEqual([['col-id', 1], ['col-s', 2], ['col-a', 3]])
    const back = conformTable(await codec.read(bytesSource(bytes)), simple, { columnMapping: 'id' })
    expect(arrowToPlain(back)).toEqual([{ id: 1, s: { a: 10 } }, { id: 2, s: null }])
  })
})

const corpus = corpusDir()
describe.skipIf(!hasCorpus(corpus))('corpus: table-with-columnmapping-mode-name', () => {
  const dir = join(corpus, 'tables/table-with-columnmapping-mode-name')

  it('writes the same physical names and field ids as Spark did, and reads back the same rows', async () => {
    const log = readFileSync(join(dir, '_delta_log/00000000000000000000.json'), 'utf8')
    const meta = log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { metaData?: { schemaString: string } }).find((a) => a.metaData)!
    const tableSchema = parseSchema(meta.metaData!.schemaString)
    const file = readdirSync(dir).find((n) => n.endsWith('.parquet'))!
    const sparkBytes = new Uint8Array(readFileSync(join(dir, file)))
    const codec = await nodeParquetCodec()
    const logical = conformTable(await codec.read(bytesSource(sparkBytes)), tableSchema, { columnMapping: 'name' })
    const ours = await codec.write(toPhysicalTable(logical, tableSchema, 'name'))
    expect(footerFields(ours)).toEqual(footerFields(sparkBytes))
    const back = conformTable(await codec.read(bytesSource(ours)), tableSchema, { columnMapping: 'id' })
    expect(arrowToPlain(back)).toEqual(arrowToPlain(logical))
    expect(logical.numRows).toBeGreaterThan(0)
  })
})
