// Z-order: rows are compared with what was written, the key order with JavaScript's own sort of
// the values, and the clustering with file skipping on the table's stats.
import { Float64, Int32, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import type { Engine } from '../../../src/delta/engine/engine.js'
import { parseFilter } from '../../../src/delta/expr/index.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { optimizeZOrder } from '../../../src/delta/ops/optimize/z-order.js'
import { zOrderPermutation } from '../../../src/delta/ops/optimize/z-key.js'
import { writeTable } from '../../../src/delta/ops/write.js'
import type { DeltaType } from '../../../src/delta/model/schema.js'
import { fileMayMatch, planScan } from '../../../src/delta/scan/plan.js'
import { executeScan } from '../../../src/delta/scan/read.js'
import { vectorFromScalars } from '../../../src/delta/expr/index.js'
import { decimalReader } from '../../../src/delta/arrow/decimal.js'
import type { Scalar } from '../../../src/delta/model/scalar.js'
import { commitActions, commitInfoOf, memoryEngine, tableState } from './fixture.js'
import { readRows, seededRandom } from './optimize-fixture.js'

function points(n: number, random: () => number): { id: number; x: number; y: number }[] {
  return Array.from({ length: n }, (_, id) => ({ id, x: random(), y: random() }))
}

function pointTable(pts: { id: number; x: number; y: number }[], p?: (id: number) => string): Table {
  return new Table({
    id: vectorFromArray(pts.map((r) => BigInt(r.id)), new Int64()),
    x: vectorFromArray(pts.map((r) => r.x), new Float64()),
    y: vectorFromArray(pts.map((r) => r.y), new Float64()),
    ...(p && { p: vectorFromArray(pts.map((r) => p(r.id)), new Utf8()) }),
  })
}

/** How many active files a filter cannot skip, by the files' partition values and stats. */
async function filesRead(engine: Engine, filter: string): Promise<{ read: number; of: number }> {
  const snapshot = await loadSnapshot(engine)
  const expr = parseFilter(filter, snapshot.schema)
  const files = snapshot.files.toArray()
  return { read: files.filter((f) => fileMayMatch(snapshot, f, expr)).length, of: files.length }
}

const byId = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id)

describe('zOrderPermutation', () => {
  // With one column the Z-order curve is that column's order: the per-type keys must sort as the values do.
  const cases: { type: DeltaType; values: unknown[]; arrow: () => Table }[] = [
    { type: 'integer', values: [3, -1, 0, -2147483648, 2147483647, 7, -7], arrow: () => new Table({ c: vectorFromArray([3, -1, 0, -2147483648, 2147483647, 7, -7], new Int32()) }) },
    { type: 'long', values: [5n, -5n, 0n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 40n, -(2n ** 40n)], arrow: () => new Table({ c: vectorFromArray([5n, -5n, 0n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 40n, -(2n ** 40n)], new Int64()) }) },
    { type: 'double', values: [0.5, -0.5, 1e300, -1e300, 0, -3.25, 2.5e-300, Infinity, -Infinity], arrow: () => new Table({ c: vectorFromArray([0.5, -0.5, 1e300, -1e300, 0, -3.25, 2.5e-300, Infinity, -Infinity], new Float64()) }) },
    { type: 'string', values: ['b', 'a', 'ab', '', 'ba', 'é', 'Z'], arrow: () => new Table({ c: vectorFromArray(['b', 'a', 'ab', '', 'ba', 'é', 'Z'], new Utf8()) }) },
  ]
  for (const { type, values, arrow } of cases) {
    it(`orders ${type as string} values as they compare`, () => {
      const order = zOrderPermutation(arrow(), [{ name: 'c', type }])
      const expected = values.map((v, i) => ({ v, i }))
        .sort((a, b) => (a.v! < b.v! ? -1 : a.v! > b.v! ? 1 : 0))
        .map((e) => e.i)
      expect([...order]).toEqual(expected)
    })
  }

  it('puts nulls first', () => {
    const t = new Table({ c: vectorFromArray([2, null, 1, null, 0], new Int32()) })
    expect([...zOrderPermutation(t, [{ name: 'c', type: 'integer' }])]).toEqual([1, 3, 4, 2, 0])
  })

  it('interleaves two columns: the quadrants of a 4 x 4 grid come one after the other', () => {
    const cells = Array.from({ length: 16 }, (_, i) => ({ x: i % 4, y: Math.floor(i / 4) }))
    const t = new Table({ x: vectorFromArray(cells.map((c) => c.x), new Int32()), y: vectorFromArray(cells.map((c) => c.y), new Int32()) })
    const order = [...zOrderPermutation(t, [{ name: 'x', type: 'integer' }, { name: 'y', type: 'integer' }])].map((i) => cells[i]!)
    // Each run of four is one 2 x 2 quadrant.
    for (let q = 0; q < 4; q++) {
      const quad = order.slice(q * 4, q * 4 + 4)
      expect(new Set(quad.map((c) => `${c.x >> 1},${c.y >> 1}`)).size).toBe(1)
    }
    expect(order[0]).toEqual({ x: 0, y: 0 })
    expect(order[15]).toEqual({ x: 3, y: 3 })
  })
})

describe('optimizeZOrder', () => {
  it('rewrites each partition sorted, keeping every row, and records zOrderBy', async () => {
    const engine = await memoryEngine()
    const random = seededRandom(7)
    const all = points(600, random)
    for (let a = 0; a < 6; a++) await writeTable(engine, pointTable(all.slice(a * 100, a * 100 + 100), (id) => (id % 3 === 0 ? 'a' : 'b')), { mode: 'append', partitionBy: ['p'] })
    const before = (await loadSnapshot(engine)).files.toArray()
    const result = await optimizeZOrder(engine, ['x', 'y'])
    expect(result).toMatchObject({ version: 6, numFilesRemoved: before.length, numFilesAdded: 2, partitionsOptimized: 2, totalConsideredFiles: before.length, totalFilesSkipped: 0, preserveInsertionOrder: false })
    expect(byId(await readRows(engine))).toEqual(all.map((r) => ({ ...r, p: r.id % 3 === 0 ? 'a' : 'b' })))
    const actions = await commitActions(engine, 6)
    expect(actions.filter((a) => a.remove).every((a) => a.remove!.dataChange === false)).toBe(true)
    expect(actions.filter((a) => a.add).every((a) => a.add!.dataChange === false)).toBe(true)
    expect(await commitInfoOf(engine, 6)).toMatchObject({ operation: 'OPTIMIZE', operationParameters: { predicate: '[]', zOrderBy: '["x","y"]' } })
  })

  it('sorts by one column of each primitive type as its values compare, nulls first', async () => {
    const random = seededRandom(3)
    const n = 60
    const nullAt = (i: number) => i % 11 === 5
    // Values in their JS form (see Scalar), and how JavaScript compares them.
    const columns: { name: string; type: DeltaType; make: () => Scalar; cmp: (a: Scalar, b: Scalar) => number }[] = [
      { name: 'sh', type: 'short', make: () => Math.floor(random() * 2000) - 1000, cmp: (a, b) => (a as number) - (b as number) },
      { name: 'f', type: 'float', make: () => Math.fround((random() - 0.5) * 1e6), cmp: (a, b) => (a as number) - (b as number) },
      { name: 'b', type: 'boolean', make: () => random() < 0.5, cmp: (a, b) => Number(a) - Number(b) },
      { name: 's', type: 'string', make: () => ['', 'a', 'ab', 'b', 'Zed', 'é', 'abc', 'abd'][Math.floor(random() * 8)]!, cmp: (a, b) => Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)) },
      { name: 'd', type: 'decimal(12,2)', make: () => BigInt(Math.floor((random() - 0.5) * 1e11)), cmp: (a, b) => Number((a as bigint) - (b as bigint)) },
      { name: 'dt', type: 'date', make: () => Math.floor((random() - 0.5) * 40000), cmp: (a, b) => (a as number) - (b as number) },
      { name: 't', type: 'timestamp', make: () => BigInt(Math.floor((random() - 0.5) * 2 ** 52)) * 1000n, cmp: (a, b) => Number((a as bigint) - (b as bigint)) },
    ]
    const values = columns.map((c) => Array.from({ length: n }, (_, i) => (nullAt(i) ? null : c.make())))
    const schema = { type: 'struct' as const, fields: columns.map((c) => ({ name: c.name, type: c.type, nullable: true, metadata: {} })) }
    const table = (from: number, to: number) => new Table(Object.fromEntries(columns.map((c, k) => [c.name, vectorFromScalars(values[k]!.slice(from, to), c.type)])))
    for (const [k, c] of columns.entries()) {
      const engine = await memoryEngine()
      for (let a = 0; a < 3; a++) await writeTable(engine, table(a * 20, a * 20 + 20), { mode: 'append', schema })
      await optimizeZOrder(engine, [c.name])
      const snapshot = await loadSnapshot(engine)
      const read = await executeScan(engine, snapshot, planScan(snapshot, { columns: [c.name] }))
      const vector = read.getChild(c.name)!
      const data = vector.data[0]!
      expect(vector.data).toHaveLength(1)
      // Decimals as their unscaled value from the two's complement words, dates and timestamps
      // as the integers stored; the rest as Arrow gives them.
      const stored = data.values as unknown as ArrayLike<unknown>
      const value = c.type === 'decimal(12,2)' ? decimalReader(data)
        : c.type === 'date' || c.type === 'timestamp' ? (i: number) => stored[i]
        : (i: number) => vector.get(i) as unknown
      const got = Array.from({ length: read.numRows }, (_, i) => (vector.isValid(i) ? value(i) : null))
      const expected = [...values[k]!].sort((a, b) => (a === null ? (b === null ? 0 : -1) : b === null ? 1 : c.cmp(a, b)))
      expect(got, c.name).toEqual(expected)
    }
  })

  it('refuses unknown, partition, nested and repeated columns before writing anything', async () => {
    const engine = await memoryEngine()
    await writeTable(engine, pointTable(points(10, seededRandom(1)), () => 'a'), { partitionBy: ['p'] })
    const state = await tableState(engine)
    for (const columns of [['x', 'nope'], ['p'], ['x', 'x'], []]) {
      await expect(optimizeZOrder(engine, columns)).rejects.toMatchObject({ code: 'InvalidArgument' })
    }
    await expect(optimizeZOrder(engine, ['x'], { preserveInsertionOrder: true } as never)).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect(await tableState(engine)).toEqual(state)
  })

  it('lets a range filter on its second column skip more files than a table sorted by the first', async () => {
    // 20,000 random integer points appended as 40 small files; then the same rows z-ordered on
    // (x, y), against the same rows sorted by x alone, written at the same file size. (Integers:
    // a lower bound on a float column never skips, as a NaN may hide behind the stats.)
    const random = seededRandom(42)
    const all = Array.from({ length: 20_000 }, (_, id) => ({ id, x: Math.floor(random() * 1e6), y: Math.floor(random() * 1e6) }))
    const table = (pts: typeof all) => new Table({
      id: vectorFromArray(pts.map((r) => BigInt(r.id)), new Int64()),
      x: vectorFromArray(pts.map((r) => r.x), new Int32()),
      y: vectorFromArray(pts.map((r) => r.y), new Int32()),
    })
    const targetSize = 16 * 1024
    const zordered = await memoryEngine()
    for (let a = 0; a < 40; a++) await writeTable(zordered, table(all.slice(a * 500, a * 500 + 500)), { mode: 'append' })
    const result = await optimizeZOrder(zordered, ['x', 'y'], { targetSize, writerProperties: { compression: 'snappy' } })
    expect(result.numFilesRemoved).toBe(40)
    expect(byId(await readRows(zordered))).toEqual(all)

    const sortedByX = await memoryEngine()
    await writeTable(sortedByX, table([...all].sort((a, b) => a.x - b.x)), { targetFileSize: targetSize })

    const onY = 'y >= 300000 AND y < 400000'
    const z = await filesRead(zordered, onY)
    const x = await filesRead(sortedByX, onY)
    // Comparable layouts: file counts within a factor of 1.25 of each other.
    expect(Math.max(z.of, x.of) / Math.min(z.of, x.of)).toBeLessThan(1.25)
    expect(x.read).toBe(x.of)
    expect(z.read / z.of).toBeLessThan(0.6)
    // On the first column, the z-ordered table skips too, if less than the table sorted by it.
    const zOnX = await filesRead(zordered, 'x >= 300000 AND x < 400000')
    expect(zOnX.read / zOnX.of).toBeLessThan(0.6)
  })
})
