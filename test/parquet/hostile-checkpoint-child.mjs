// Tables whose checkpoint (a Parquet file) is corrupted, opened and read in one process, run by
// hostile-checkpoint.test.ts in a child so that a crash or a hang is seen as a failure. Uses the
// built package (dist/). Prints one JSON line per case, then {"done":true}.
// Arguments: seed, number of cases, milliseconds each case may take.
import { tableFromArrays } from 'apache-arrow'
import { DeltaTable, MemoryStorage, writeDeltaLake } from '../../dist/index-node.js'
import { DeltaError } from '../../dist/delta/engine/errors.js'
import { nodeParquetCodec } from '../../dist/parquet/node.js'
import { seededRandom, withDeadline } from '../helpers/child-tools.mjs'
import { regionAt, regionsOf } from './byte-regions.mjs'

const [seedArg = '1', countArg = '100', caseMsArg = '5000'] = process.argv.slice(2)
const random = seededRandom(Number(seedArg))
const pick = (n) => Math.floor(random() * n)

const parquet = await nodeParquetCodec()
const base = new MemoryStorage()
const configuration = { 'delta.checkpointInterval': '2' }
for (let v = 0; v < 3; v++) {
  const rows = tableFromArrays({ id: Int32Array.from({ length: 40 }, (_, i) => v * 40 + i), part: Array.from({ length: 40 }, (_, i) => `p${i % 3}`) })
  await writeDeltaLake('mem', rows, { storage: base, parquet, mode: v === 0 ? 'error' : 'append', partitionBy: ['part'], configuration })
}
const listed = await base.list('_delta_log')
const checkpoint = listed.find((f) => f.path.endsWith('.checkpoint.parquet'))
if (!checkpoint) throw new Error(`no checkpoint was written: ${listed.map((f) => f.path).join(', ')}`)
const original = await base.read(checkpoint.path)
// A flipped byte in the checkpoint's schema text can rename `id`: that reads as another answer.
const sortedIds = (t) => {
  const ids = t.getChild('id')
  return ids ? Array.from(ids.toArray()).sort((a, b) => a - b).join(',') : `no id column: ${t.schema.fields.map((f) => f.name).join(',')}`
}
const expected = sortedIds(await (await DeltaTable.open('mem', { storage: base, parquet })).toArrow())

// Checkpoint columns are nested (add.partitionValues is a map): values may exceed rows.
const regions = regionsOf(original, () => true)
const regionAtOf = (pos, end) => regionAt(regions, pos, end)

function mutate() {
  const out = original.slice()
  const kind = ['flip', 'flip', 'flip-header', 'zero', 'truncate'][pick(5)]
  if (kind === 'truncate') {
    const at = pick(out.length)
    return { kind, at, region: 'size', bytes: out.subarray(0, at) }
  }
  if (kind === 'zero') {
    const at = pick(out.length)
    const end = Math.min(out.length, at + 1 + pick(32))
    out.fill(0, at, end)
    return { kind, at, region: regionAtOf(at, end), bytes: out }
  }
  const headers = regions.filter((r) => r.kind === 'header')
  const r = headers[pick(headers.length)]
  const at = kind === 'flip' ? pick(out.length) : r.start + pick(r.end - r.start)
  out[at] ^= 1 << pick(8)
  return { kind, at, region: regionAtOf(at), bytes: out }
}

const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`)
print({ checkpoint: checkpoint.path })
for (let i = 0; i < Number(countArg); i++) {
  const m = mutate()
  const storage = new MemoryStorage()
  for (const f of [...(await base.list('')), ...listed]) await storage.put(f.path, await base.read(f.path))
  for (const dir of ['part=p0', 'part=p1', 'part=p2']) for (const f of await base.list(dir)) await storage.put(f.path, await base.read(f.path))
  await storage.put(checkpoint.path, m.bytes)
  const outcome = await withDeadline(
    DeltaTable.open('mem', { storage, parquet }).then((t) => t.toArrow()).then(
      (t) => (sortedIds(t) === expected ? { result: 'same' } : { result: 'different' }),
      (e) => (e instanceof DeltaError ? { result: 'typed', code: e.code, message: e.message } : { result: 'untyped', message: String(e?.stack ?? e) }),
    ),
    Number(caseMsArg),
  )
  print({ case: i, kind: m.kind, at: m.at, region: m.region, ...(outcome === 'hang' ? { result: 'hang' } : outcome) })
}
print({ done: true })
