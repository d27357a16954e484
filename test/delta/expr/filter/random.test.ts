import {
  Bool, DateDay, Decimal, Dictionary, Field, Float64, Int32, Int64, Struct, Table, TimestampMicrosecond, Utf8, makeData,
  makeVector, vectorFromArray, type Data, type DataType, type Vector,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import {
  and, col, compare, evaluateFilter, evaluateOnValues, formatExpr, inList, isNull, like, lit, mayMatchFile, not, or,
  parseFilter, TRUE, type ColumnExpr, type CompareOp, type Expr, type LiteralExpr,
} from '../../../../src/delta/expr/index.js'
import { formatDate, formatTimestamp } from '../../../../src/delta/values/temporal.js'
import { formatDecimal } from '../../../../src/delta/values/decimal.js'
import { formatPartitionValue, parsePartitionValue } from '../../../../src/delta/values/partition-value.js'
import type { Scalar } from '../../../../src/delta/model/scalar.js'
import type { DeltaType, StructType } from '../../../../src/delta/model/schema.js'
import { parseStats } from '../../../../src/delta/stats/parse.js'
import { seededRandom } from '../../../helpers/child-tools.mjs'

// A property test: random small files with the stats a writer would record (truncated
// timestamps and strings, decimals and longs as lossy JSON numbers, NaN left out, sometimes
// wide bounds), random filters over them. Whenever skipping says "cannot match", evaluation
// must select no row; and evaluation must agree with the row-by-row reference semantics.

type Rng = () => number
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!

const BASE_TS = 1631070400000000n
const DOMAINS: Record<string, readonly Scalar[]> = {
  i: [-3, -1, 0, 1, 2, 3],
  l: [-2n, 0n, 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n)],
  d: [-1.5, -0, 0, 0.1, 1, 2.5, NaN, Infinity, -Infinity],
  s: ['', 'a', 'ab', 'b', '\uFFFD', '😀', 'x'.repeat(40), `${'x'.repeat(40)}y`, 'x'.repeat(31), 'abc%_', 'A'],
  dec: [-150n, -1n, 0n, 1n, 99n, 150n, 99999n, -99999n],
  big: [0n, 123456789012345678901234n, 123456789012345678901235n, -123456789012345678901234n, 1n],
  ts: [0n, 1n, 999n, 1000n, 1001n, -1n, 86_400_000_000n].map((d) => BASE_TS + d),
  dt: [-1, 0, 1, 2, 3],
  b: [true, false],
  p: ['x', 'y', 'a/b', ''],
  pi: [1, 2, 3],
  n: [1, 2, 5],
}
const TYPES: Record<string, DeltaType> = {
  i: 'integer', l: 'long', d: 'double', s: 'string', dec: 'decimal(5,2)', big: 'decimal(38,6)', ts: 'timestamp', dt: 'date',
  b: 'boolean', p: 'string', pi: 'integer', n: 'integer',
}
const PARTITIONS = ['p', 'pi']
const LEAVES = ['i', 'l', 'd', 's', 'dec', 'big', 'ts', 'dt', 'b', 'p', 'pi']
const field = (name: string, type: DeltaType) => ({ name, type, nullable: true, metadata: {} })
const SCHEMA: StructType = {
  type: 'struct',
  fields: [...LEAVES.map((n) => field(n, TYPES[n]!)), field('st', { type: 'struct', fields: [field('n', 'integer')] })],
}
const COLUMNS: ColumnExpr[] = [...LEAVES.map((n) => col(n, TYPES[n]!)), col(['st', 'n'], 'integer')]

type Row = Record<string, Scalar | null> & { st: { n: Scalar | null } | null }

function randomValue(rng: Rng, name: string): Scalar | null {
  return rng() < 0.2 ? null : pick(rng, DOMAINS[name]!)
}

function randomRows(rng: Rng, count: number, partition: Record<string, Scalar | null>): Row[] {
  return Array.from({ length: count }, () => {
    const row = {} as Row
    for (const n of LEAVES) row[n] = PARTITIONS.includes(n) ? partition[n]! : randomValue(rng, n)
    row.st = rng() < 0.15 ? null : { n: randomValue(rng, 'n') }
    return row
  })
}

// ---- Arrow ----

function validity(values: readonly unknown[]) {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8) + 8)
  let nullCount = 0
  values.forEach((v, i) => (v === null ? nullCount++ : (nullBitmap[i >> 3]! |= 1 << (i & 7))))
  return { nullBitmap, nullCount }
}

function fromWords(type: DataType, values: Array<bigint | null>, wordsPerValue: number): Data {
  const words = new Uint32Array(Math.max(values.length, 1) * wordsPerValue)
  values.forEach((v, i) => {
    const u = BigInt.asUintN(32 * wordsPerValue, v ?? 0n)
    for (let w = 0; w < wordsPerValue; w++) words[i * wordsPerValue + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn)
  })
  const data = wordsPerValue === 2 ? new BigInt64Array(words.buffer) : words
  return makeData({ type, length: values.length, data, ...validity(values) } as never)
}

function vectorOf(name: string, values: Array<Scalar | null>, rng: Rng): Vector {
  switch (TYPES[name]) {
    case 'long': return makeVector(fromWords(new Int64(), values as Array<bigint | null>, 2))
    case 'timestamp': return makeVector(fromWords(new TimestampMicrosecond(), values as Array<bigint | null>, 2))
    case 'decimal(5,2)': return makeVector(fromWords(new Decimal(2, 5, 128), values as Array<bigint | null>, 4))
    case 'decimal(38,6)': return makeVector(fromWords(new Decimal(6, 38, 128), values as Array<bigint | null>, 4))
    case 'date': return makeVector(makeData({ type: new DateDay(), length: values.length, data: new Int32Array(values.map((v) => (v ?? 0) as number)), ...validity(values) }))
    case 'double': return vectorFromArray(values as Array<number | null>, new Float64())
    case 'boolean': return vectorFromArray(values as Array<boolean | null>, new Bool())
    case 'string': return vectorFromArray(values as Array<string | null>, rng() < 0.5 ? new Utf8() : new Dictionary(new Utf8(), new Int32()))
    default: return vectorFromArray(values as Array<number | null>, new Int32())
  }
}

function tableOf(rows: Row[], rng: Rng): Table {
  const columns: Record<string, Vector> = {}
  for (const n of LEAVES) columns[n] = vectorOf(n, rows.map((r) => r[n]!), rng)
  const inner = vectorFromArray(rows.map((r) => r.st?.n ?? null) as Array<number | null>, new Int32()).data[0]!
  const stType = new Struct([new Field('n', new Int32(), true)])
  columns.st = makeVector(makeData({ type: stType, length: rows.length, children: [inner], ...validity(rows.map((r) => r.st)) }))
  return new Table(columns)
}

// ---- Stats as a writer records them ----

type StatSide = 'min' | 'max'

/** Spark cuts strings to 32 characters and appends a tie-breaker to a cut max; a careless writer does not. */
function truncateString(s: string, side: StatSide, careless: boolean): string {
  const cps = [...s]
  if (cps.length <= 32) return s
  const prefix = cps.slice(0, 32).join('')
  if (side === 'min' || careless) return prefix
  return prefix + (cps[32]!.codePointAt(0)! < 0x7f ? '\u007f' : '\u{10FFFF}')
}

function statText(v: Scalar, type: DeltaType, side: StatSide, rng: Rng): string {
  if (type === 'timestamp') {
    const ms = (v as bigint) / 1000n - ((v as bigint) % 1000n < 0n ? 1n : 0n)
    if (rng() < 0.5) return JSON.stringify(`${formatTimestamp(ms * 1000n).slice(0, 23)}Z`)
    return JSON.stringify(`${formatTimestamp(ms * 1000n - 8n * 3_600_000_000n).slice(0, 23)}-08:00`)
  }
  if (type === 'date') return JSON.stringify(formatDate(v as number))
  if (type === 'string') return JSON.stringify(truncateString(v as string, side, rng() < 0.3))
  if (type === 'decimal(5,2)') return formatDecimal(v as bigint, 2)
  if (type === 'decimal(38,6)') return formatDecimal(v as bigint, 6)
  if (typeof v === 'number' && !Number.isFinite(v)) return JSON.stringify(String(v))
  if (typeof v === 'number' && Object.is(v, -0)) return '-0.0'
  return String(v)
}

function compareForStats(a: Scalar, b: Scalar): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function codePointLess(a: string, b: string): boolean {
  const x = [...a].map((c) => c.codePointAt(0)!)
  const y = [...b].map((c) => c.codePointAt(0)!)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]!
  return x.length < y.length
}

function minMax(values: Scalar[], type: DeltaType): [Scalar, Scalar] | undefined {
  const vs = values.filter((v) => !(typeof v === 'number' && Number.isNaN(v)))
  if (vs.length === 0) return undefined
  const less = (a: Scalar, b: Scalar) => (type === 'string' ? codePointLess(a as string, b as string) : compareForStats(a, b) < 0)
  let lo = vs[0]!
  let hi = vs[0]!
  for (const v of vs) {
    if (less(v, lo)) lo = v
    if (less(hi, v)) hi = v
  }
  return [lo, hi]
}

/** JSON stats text for the file, skipping partition columns, sometimes partial or wide. */
function statsJson(rows: Row[], rng: Rng): string | undefined {
  if (rng() < 0.1) return undefined
  const wide = rng() < 0.2
  const mins: string[] = []
  const maxs: string[] = []
  const nulls: string[] = []
  const leaf = (name: string, key: string, values: Array<Scalar | null>) => {
    if (rng() < 0.1) return
    const type = TYPES[name]!
    const nonNull = values.filter((v): v is Scalar => v !== null)
    const count = values.length - nonNull.length
    const informative = count === 0 || count === values.length
    nulls.push(`"${key}":${wide && !informative ? 1 + Math.floor(rng() * (values.length - 1)) : count}`)
    const mm = type === 'boolean' && rng() < 0.5 ? undefined : minMax(nonNull, type)
    if (!mm) return
    const hasNaN = nonNull.some((v) => typeof v === 'number' && Number.isNaN(v))
    mins.push(`"${key}":${statText(mm[0], type, 'min', rng)}`)
    maxs.push(`"${key}":${hasNaN && rng() < 0.5 ? '"NaN"' : statText(mm[1], type, 'max', rng)}`)
  }
  for (const n of LEAVES) if (!PARTITIONS.includes(n)) leaf(n, n, rows.map((r) => r[n]!))
  const nested = { mins: mins.length, maxs: maxs.length, nulls: nulls.length }
  leaf('n', 'n', rows.map((r) => r.st?.n ?? null))
  const wrap = (parts: string[], from: number) => [...parts.slice(0, from), ...(parts.length > from ? [`"st":{${parts.slice(from).join(',')}}`] : [])]
  const body = [
    `"numRecords":${rows.length}`,
    `"minValues":{${wrap(mins, nested.mins).join(',')}}`,
    `"maxValues":{${wrap(maxs, nested.maxs).join(',')}}`,
    `"nullCount":{${wrap(nulls, nested.nulls).join(',')}}`,
  ]
  if (wide) body.push('"tightBounds":false')
  return `{${body.join(',')}}`
}

// ---- Random filters ----

const OPS: CompareOp[] = ['=', '!=', '<', '<=', '>', '>=']
const PATTERNS = ['a%', '%b', '_', 'x%', '😀%', 'abc\\%%', 'ab', '%', 'x%y', '\uFFFD%']

function randomLiteral(rng: Rng, c: ColumnExpr): LiteralExpr {
  if (rng() < 0.05) return lit(null, c.type)
  const name = c.path[c.path.length - 1]!
  if (c.type === 'date' && rng() < 0.3) return lit(pick(rng, [-5, 4, 100]), 'date')
  if (c.type === 'timestamp' && rng() < 0.4) return lit(BASE_TS + pick(rng, [500n, 998n, 1999n, 2000n, -1000n]), 'timestamp')
  if (c.type === 'string' && rng() < 0.3) return lit(pick(rng, ['aa', 'x', `${'x'.repeat(32)}`, `${'x'.repeat(40)}z`, '\u007f', 'c']), 'string')
  return lit(pick(rng, DOMAINS[name]!), c.type)
}

function randomLeaf(rng: Rng): Expr {
  const c = pick(rng, COLUMNS)
  const r = rng()
  if (r < 0.45) return compare(pick(rng, OPS), c, randomLiteral(rng, c))
  if (r < 0.55) return isNull(c)
  if (r < 0.7) return inList(c, Array.from({ length: 1 + Math.floor(rng() * 3) }, () => randomLiteral(rng, c)))
  if (r < 0.8) {
    const s = pick(rng, COLUMNS.filter((x) => x.type === 'string'))
    return like(s, pick(rng, PATTERNS))
  }
  if (r < 0.9) {
    const pair = pick(rng, [['i', 'pi'], ['i', 'n'], ['s', 'p'], ['dec', 'i'], ['l', 'i'], ['d', 'i']] as const)
    const cols = pair.map((n) => COLUMNS.find((x) => x.path[x.path.length - 1] === n)!)
    return compare(pick(rng, OPS), cols[0]!, cols[1]!)
  }
  if (r < 0.95) return and(compare('>=', c, randomLiteral(rng, c)), compare('<=', c, randomLiteral(rng, c)))
  return lit(pick(rng, [true, false, null]), 'boolean')
}

function randomFilter(rng: Rng, depth: number): Expr {
  const r = rng()
  if (depth <= 0 || r < 0.4) return randomLeaf(rng)
  if (r < 0.6) return not(randomFilter(rng, depth - 1))
  const args = [randomFilter(rng, depth - 1), randomFilter(rng, depth - 1)]
  return r < 0.8 ? and(...args) : or(...args)
}

function valueAt(row: Row, c: ColumnExpr): Scalar | null {
  return c.path[0] === 'st' ? (row.st?.n ?? null) : row[c.path[0]!]!
}

describe('file skipping never drops a matching file (randomized)', () => {
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8]
  for (const seed of seeds) {
    it(`seed ${seed}`, () => {
      const rng = seededRandom(seed)
      let skipped = 0
      let checks = 0
      for (let f = 0; f < 60; f++) {
        const partition: Record<string, Scalar | null> = {}
        for (const p of PARTITIONS) {
          // Through the log's text form and back, as a writer and a reader would.
          const raw = formatPartitionValue(randomValue(rng, p), TYPES[p]!)
          partition[p] = parsePartitionValue(raw, TYPES[p]!)
        }
        const rows = randomRows(rng, Math.floor(rng() * 7), partition)
        const table = tableOf(rows, rng)
        const json = statsJson(rows, rng)
        const file = {
          partitionValues: (name: string) => (PARTITIONS.includes(name) ? partition[name]! : undefined),
          stats: parseStats(json),
        }
        for (let q = 0; q < 40; q++) {
          const expr = randomFilter(rng, 3)
          const text = formatExpr(expr)
          expect(parseFilter(text, SCHEMA), text).toEqual(expr)
          const mask = Array.from(evaluateFilter(expr, table))
          const reference = rows.map((row) => (evaluateOnValues(expr, (c) => valueAt(row, c)) === TRUE ? 1 : 0))
          const context = `filter: ${text}\nstats: ${json}\nrows: ${JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`
          expect(mask, context).toEqual(reference)
          checks++
          if (!mayMatchFile(expr, file)) {
            skipped++
            expect(mask.some((m) => m === 1), `skipped a matching file\n${context}`).toBe(false)
          }
        }
      }
      // The property only means something if skipping often happens.
      expect(skipped).toBeGreaterThan(checks / 10)
    })
  }
})
