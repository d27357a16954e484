// A batch of corrupted Parquet files decoded in one process, run by hostile-parquet.test.ts in a
// child so that a crash (a wasm trap escaping every try/catch) or a hang is seen as a failure,
// not as the death of the test runner. Uses the built package (dist/), as worker threads need JS.
// Prints one JSON line per case, then {"done":true}.
// Arguments: seed, cases per file, milliseconds each case may take.
import { Field, Int32, List, Struct, Table, tableFromArrays, vectorFromArray } from 'apache-arrow'
import { DeltaError } from '../../dist/delta/engine/errors.js'
import { nodeParquetCodec } from '../../dist/parquet/node.js'
import { seededRandom, withDeadline } from '../helpers/child-tools.mjs'
import { regionAt, regionsOf } from './byte-regions.mjs'

const [seedArg = '1', perFileArg = '100', caseMsArg = '5000'] = process.argv.slice(2)
const perFile = Number(perFileArg)
const caseMs = Number(caseMsArg)

const random = seededRandom(Number(seedArg))
const pick = (n) => Math.floor(random() * n)

function sampleTable(n, nested) {
  const columns = {
    id: Int32Array.from({ length: n }, (_, i) => i),
    word: Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : `w${i % 17}`)),
    value: Float64Array.from({ length: n }, (_, i) => i / 3),
    big: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : BigInt(i) * 1000003n)),
  }
  const table = tableFromArrays(columns)
  if (!nested) return table
  const point = new Struct([new Field('x', new Int32(), true), new Field('y', new Int32(), true)])
  const list = new List(new Field('item', new Int32(), true))
  return new Table({
    ...Object.fromEntries(table.schema.fields.map((f) => [f.name, table.getChild(f.name)])),
    point: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : { x: i, y: -i })), point),
    tags: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => i + k))), list),
  })
}

/**
 * A source over `bytes` that claims `size` and behaves like Node fs past the end (short reads);
 * read number `shortRead` comes back cut, like an HTTP body shorter than its range.
 */
function source(bytes, size = bytes.length, shortRead = -1) {
  let reads = 0
  const s = {
    size,
    name: 'mutated.parquet',
    // Every read is a fresh slice: the codec may hand it to a decoder thread without a copy.
    transferable: true,
    cut: false,
    read: async (offset, length) => {
      const out = bytes.slice(offset, offset + length)
      if (reads++ !== shortRead || out.length === 0) return out
      s.cut = true
      return out.subarray(0, out.length - 1 - pick(Math.min(8, out.length)))
    },
  }
  return s
}

function mutate(bytes, regions) {
  const kinds = ['flip', 'flip', 'flip-header', 'flip-header', 'flip-footer', 'zero', 'truncate', 'grow', 'shrink', 'short-read']
  const kind = kinds[pick(kinds.length)]
  const out = bytes.slice()
  const flip = (pos) => {
    out[pos] ^= 1 << pick(8)
    return { kind, at: pos, region: regionAt(regions, pos), bytes: out }
  }
  switch (kind) {
    case 'flip':
      return flip(pick(out.length))
    case 'flip-header': {
      const headers = regions.filter((r) => r.kind === 'header')
      const r = headers[pick(headers.length)]
      return flip(r.start + pick(r.end - r.start))
    }
    case 'flip-footer': {
      const footer = regions[0]
      return flip(footer.start + pick(footer.end - footer.start))
    }
    case 'zero': {
      const at = pick(out.length)
      const end = Math.min(out.length, at + 1 + pick(64))
      out.fill(0, at, end)
      return { kind, at, region: regionAt(regions, at, end), bytes: out }
    }
    case 'truncate': {
      const at = pick(out.length)
      return { kind, at, region: 'size', bytes: out.subarray(0, at) }
    }
    case 'grow':
      return { kind, at: out.length, region: 'size', bytes: out, size: out.length + 1 + pick(5000) }
    case 'shrink': {
      const size = pick(out.length)
      return { kind, at: size, region: 'size', bytes: out.subarray(0, size), size }
    }
    default:
      return { kind, at: 0, region: 'size', bytes: out, shortRead: pick(2) }
  }
}

/**
 * What a decoded table says: its column names and every value. IPC bytes may differ for equal
 * tables, and a dictionary-encoded column equals its plain form (the embedded Arrow schema, a
 * hint, says which to build).
 */
function rowsOf(table) {
  const rows = table.toArray().map((r) => r.toJSON())
  return `${table.schema.names.join(',')}\n${JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`
}

const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`)
const whole = await nodeParquetCodec()
const ranged = await nodeParquetCodec({ readWholeBelow: 0, coalesceGap: 0, footerGuess: 256 })
const files = [
  { name: 'snappy', table: sampleTable(2000, false), opts: { compression: 'snappy', rowGroupSize: 700 } },
  { name: 'zstd', table: sampleTable(2000, true), opts: { compression: 'zstd', rowGroupSize: 1000 } },
  { name: 'plain', table: sampleTable(1500, true), opts: { compression: 'uncompressed' } },
]
for (const file of files) {
  const bytes = await whole.write(file.table, file.opts)
  const regions = regionsOf(bytes, (path) => path.length > 1 && path[0] === 'tags')
  const expected = [rowsOf(await whole.read(source(bytes))), rowsOf(await whole.read(source(bytes), { columns: ['word'] }))]
  for (let i = 0; i < perFile; i++) {
    const m = mutate(bytes, regions)
    const codec = i % 3 === 2 ? ranged : whole
    const projected = i % 4 === 3
    const columns = projected ? { columns: ['word'] } : undefined
    const started = performance.now()
    const mutated = source(m.bytes, m.size ?? m.bytes.length, m.shortRead ?? -1)
    const outcome = await withDeadline(
      codec.read(mutated, columns).then(
        (t) => (rowsOf(t) === expected[projected ? 1 : 0] ? { result: 'same' } : { result: 'different' }),
        (e) => (e instanceof DeltaError ? { result: 'typed', code: e.code, message: e.message } : { result: 'untyped', message: String(e?.stack ?? e) }),
      ),
      caseMs,
    )
    const o = outcome === 'hang' ? { result: 'hang' } : outcome
    const cut = m.kind === 'short-read' ? { cut: mutated.cut } : {}
    print({ file: file.name, case: i, kind: m.kind, at: m.at, region: m.region, ...cut, ms: Math.round(performance.now() - started), ...o })
  }
}
print({ done: true })
