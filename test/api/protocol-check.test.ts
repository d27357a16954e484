// Tables this library writes, checked against PROTOCOL.md by an independent checker (raw log,
// hyparquet for checkpoints and footers): plain, partitioned by every partition type, column
// mapping by name and by id, with checkpoints, change data files and deletes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Bool, DateDay, Field, Float64, Int32, Schema, Table, TimestampMicrosecond, Utf8, makeVector, vectorFromArray } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, writeDeltaLake } from '../../src/index-node.js'
import { checkTableProtocol } from '../helpers/protocol-check.js'

let scratch: string
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'protocol-check-'))
})
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Rows with a column of every partition type, nulls included. */
function rows(offset: number): Table {
  const n = 12
  const base = Date.UTC(2024, 0, 1, 10, 30, 0)
  const ids = Int32Array.from({ length: n }, (_, i) => offset + i)
  const schema = new Schema([
    new Field('id', new Int32(), false),
    new Field('name', new Utf8(), true),
    new Field('region', new Utf8(), true),
    new Field('bucket', new Int32(), true),
    new Field('day', new DateDay(), true),
    new Field('at', new TimestampMicrosecond('UTC'), true),
    new Field('flag', new Bool(), true),
    new Field('amount', new Float64(), true),
  ])
  return new Table(schema, {
    id: makeVector(ids),
    name: vectorFromArray(Array.from(ids, (i) => `n${i}`), new Utf8()),
    region: vectorFromArray(Array.from(ids, (i) => (i % 4 === 3 ? null : ['EU', 'US', 'APAC'][i % 3]!)), new Utf8()),
    bucket: makeVector(Int32Array.from(ids, (i) => i % 2)),
    day: vectorFromArray(Array.from(ids, (i) => new Date(base + (i % 3) * 86_400_000)), new DateDay()),
    at: vectorFromArray(Array.from(ids, (i) => base + (i % 2) * 3_600_000), new TimestampMicrosecond('UTC')),
    flag: vectorFromArray(Array.from(ids, (i) => i % 2 === 0), new Bool()),
    amount: makeVector(Float64Array.from(ids, (i) => i * 1.25)),
  })
}

const CASES: { name: string; partitionBy: string[]; configuration?: Record<string, string> }[] = [
  { name: 'plain', partitionBy: [] },
  { name: 'partitioned', partitionBy: ['region', 'bucket', 'day', 'at', 'flag'], configuration: { 'delta.checkpointInterval': '2' } },
  { name: 'mapping-name', partitionBy: ['region', 'at'], configuration: { 'delta.columnMapping.mode': 'name', 'delta.checkpointInterval': '2' } },
  { name: 'mapping-id', partitionBy: ['bucket', 'day'], configuration: { 'delta.columnMapping.mode': 'id' } },
  { name: 'cdf-mapping-name', partitionBy: ['region'], configuration: { 'delta.columnMapping.mode': 'name', 'delta.enableChangeDataFeed': 'true' } },
  { name: 'deletion-vectors', partitionBy: ['bucket'], configuration: { 'delta.enableDeletionVectors': 'true', 'delta.enableChangeDataFeed': 'true', 'delta.checkpointInterval': '2' } },
  { name: 'deletion-vectors-mapping', partitionBy: [], configuration: { 'delta.enableDeletionVectors': 'true', 'delta.columnMapping.mode': 'name' } },
]

describe('tables we write follow PROTOCOL.md', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const root = join(scratch, c.name)
      for (let v = 0; v < 3; v++) {
        await writeDeltaLake(root, rows(v * 12), { mode: 'append', partitionBy: c.partitionBy, ...(c.configuration && { configuration: c.configuration }) })
      }
      const table = await DeltaTable.open(root)
      await table.delete('id < 3 OR id = 20 OR id > 31')
      await table.update({ amount: 'amount * 2', name: "concat(name, '!')" }, { predicate: 'id BETWEEN 10 AND 14' })
      const [a, b] = [rows(4).slice(0, 2), rows(100).slice(0, 2)]
      await table.merge(new Table([...a.batches, ...b.batches]), { predicate: 'target.id = source.id' })
        .whenMatchedUpdate({ name: "'merged'" }).whenNotMatchedInsertAll().execute()
      expect(await checkTableProtocol(root)).toEqual([])
      // And it reads back: every partition value, through the physical keys.
      const back = await (await DeltaTable.open(root)).toArrow()
      expect(back.numRows).toBe(36 - 8 + 2)
      const names = new Map([...back].map((r) => [r.id as number, r.name as string]))
      expect([names.get(4), names.get(12), names.get(100), names.get(3)]).toEqual(['merged', 'n12!', 'n100', 'n3'])
      const regions = new Set(back.getChild('region')!.toArray())
      expect(regions).toEqual(new Set(['EU', 'US', 'APAC', null]))
    })
  }

})
