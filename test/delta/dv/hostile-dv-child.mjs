// A batch of corrupted deletion vectors read in one process, run by hostile-dv.test.ts in a child
// so that a crash (a stack overflow, an allocation failure) or a hang is seen as a failure rather
// than as the death of the test runner. Uses the built package (dist/). Prints one JSON line per
// case, then {"done":true}. Arguments: seed, number of cases, milliseconds each case may take.
import { DeltaError } from '../../../dist/delta/engine/errors.js'
import {
  RowIndexSet, decodeRoaringBitmapArray, deletionVectorPath, encodeRoaringBitmapArray, inlineDeletionVector, newDeletionVectorDescriptor, readDeletionVector,
  serializeDeletionVectorFile, writeDeletionVectors,
} from '../../../dist/delta/dv/deletion-vector.js'
import { decodeZ85, encodeZ85 } from '../../../dist/delta/dv/z85.js'
import { seededRandom, withDeadline } from '../../helpers/child-tools.mjs'

const [seedArg = '1', countArg = '400', caseMsArg = '3000'] = process.argv.slice(2)
const random = seededRandom(Number(seedArg))
const pick = (n) => Math.floor(random() * n)

/** Files in memory, read as Node's fs reads them: a range past the end comes back short. */
class LooseStorage {
  files = new Map()
  capabilities = { atomicCreate: true, list: true, write: true }
  async list() { return [] }
  async head(path) { const b = this.files.get(path); return b && { path, size: b.length, lastModified: 0 } }
  async put(path, data) { this.files.set(path, data.slice()) }
  async delete(path) { this.files.delete(path) }
  async read(path, range) {
    const b = this.files.get(path)
    if (!b) throw new DeltaError('NotFound', `no file ${path}`)
    return range ? b.slice(range.offset, range.offset + range.length) : b.slice()
  }
}

// Row sets needing every container kind: arrays, a bitmap (> 4096 in one container), runs,
// several buckets (rows past 2^32), the empty set.
const SETS = [
  [0, 9],
  [3, 4, 5, 100, 65535, 65536, 200000],
  Array.from({ length: 5000 }, (_, i) => i * 3),
  Array.from({ length: 3000 }, (_, i) => 70000 + i),
  [1, 2 ** 32 + 7, 2 ** 33],
  [],
]
const sorted = (set) => Array.from(set.toSortedArray()).join(',')

const storage = new LooseStorage()
const fileDvs = await writeDeletionVectors(storage, SETS)
const dvPath = deletionVectorPath(fileDvs[0])
const original = storage.files.get(dvPath)
const inlineDvs = SETS.slice(0, 2).concat([SETS[4], SETS[5]]).map((rows) => ({ rows, dv: inlineDeletionVector(rows) }))

function mutateFile(bytes) {
  const out = bytes.slice()
  switch (pick(4)) {
    case 0: { const at = pick(out.length); out[at] ^= 1 << pick(8); return { what: `flip ${at}`, bytes: out } }
    case 1: { const at = pick(out.length); out.fill(0, at, at + 1 + pick(16)); return { what: `zero ${at}`, bytes: out } }
    case 2: { const at = pick(out.length); return { what: `truncate ${at}`, bytes: out.subarray(0, at) } }
    default: { const at = pick(out.length); out[at] = pick(256); return { what: `set ${at}`, bytes: out } }
  }
}

const GARBAGE = [-1, 0, 1, 3, 1.5, 2 ** 53, 1e300, Number.NaN, '12', null, undefined, {}]

function mutateDescriptor(dv) {
  const d = { ...dv }
  const field = ['offset', 'sizeInBytes', 'cardinality', 'storageType', 'pathOrInlineDv', 'maxRowIndex'][pick(6)]
  if (field === 'storageType') d.storageType = ['x', '', 'U', 7, undefined][pick(5)]
  else if (field === 'pathOrInlineDv') {
    const text = String(d.pathOrInlineDv)
    const at = pick(text.length)
    d.pathOrInlineDv = [text.slice(0, at), text.slice(0, at) + '~' + text.slice(at + 1), text.slice(0, at) + text.slice(at + 1), `../${text}`, ''][pick(5)]
  } else {
    const base = typeof d[field] === 'number' ? d[field] : 0
    d[field] = pick(2) === 0 ? GARBAGE[pick(GARBAGE.length)] : base + [-5, -1, 1, 4, 1000][pick(5)]
  }
  return { what: `${field}=${JSON.stringify(d[field])}`, dv: d }
}

/** An inline DV whose bitmap bytes are changed: inline DVs carry no checksum. */
function mutateInlineBitmap({ rows, dv }) {
  const bitmap = encodeRoaringBitmapArray(rows)
  const at = pick(bitmap.length)
  bitmap[at] ^= 1 << pick(8)
  const padded = new Uint8Array(Math.ceil(bitmap.length / 4) * 4)
  padded.set(bitmap)
  return { what: `inline bitmap flip ${at}`, dv: { ...dv, pathOrInlineDv: encodeZ85(padded) } }
}

/** Little-endian words, for bitmaps built by hand. */
class Bytes {
  parts = []
  u16(...vs) { for (const v of vs) { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, v, true); this.parts.push(b) } return this }
  u32(...vs) { for (const v of vs) { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v, true); this.parts.push(b) } return this }
  u8(...vs) { this.parts.push(Uint8Array.from(vs)); return this }
  done() { const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0)); let at = 0; for (const p of this.parts) { out.set(p, at); at += p.length } return out }
}
const MAGIC = 1681511377
/** One bucket (key 0) holding one run container, its header cardinality `card`, with `runs` [start, length - 1]. */
function runBitmap(card, runs) {
  const b = new Bytes().u32(MAGIC, 1, 0, 0, 12347).u8(1).u16(0, card - 1).u16(runs.length)
  for (const [start, length] of runs) b.u16(start, length)
  return b.done()
}
// Bitmaps whose framing is intact (a DV file with the right size and CRC, as a hostile writer
// would make them) but whose content lies: each must be InvalidData, fast.
const CRAFTED = [
  ['runs that overlap, 20000 times the whole container', runBitmap(65536, Array.from({ length: 20000 }, () => [0, 65535]))],
  ['runs out of order', runBitmap(4, [[10, 1], [2, 1]])],
  ['runs holding more than the header says', runBitmap(3, [[0, 9]])],
  ['a bucket count far past the bytes', new Bytes().u32(MAGIC, 0xffffffff, 0).done()],
  ['a bucket past 2^53', new Bytes().u32(MAGIC, 1, 0, 2 ** 21, 12346, 1).u16(0, 0).u32(16).u16(1).done()],
  ['array values not ascending', new Bytes().u32(MAGIC, 1, 0, 0, 12346, 1).u16(0, 1).u32(16).u16(5, 5).done()],
  ['a cardinality of 65536 in array form', new Bytes().u32(MAGIC, 1, 0, 0, 12346, 1).u16(0, 65535).u32(16).done()],
]

const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`)
const classify = (expected) => (set) => (sorted(set) === expected ? { result: 'same' } : { result: 'different' })
const failed = (e) => (e instanceof DeltaError ? { result: 'typed', code: e.code, message: e.message } : { result: 'untyped', message: String(e?.stack ?? e) })

for (const [what, bitmap] of CRAFTED) {
  const { bytes, offsets } = serializeDeletionVectorFile([bitmap])
  const dv = newDeletionVectorDescriptor({ offset: offsets[0], sizeInBytes: bitmap.length, cardinality: 3 })
  await storage.put(deletionVectorPath(dv), bytes)
  const outcome = await withDeadline(readDeletionVector(storage, dv).then(classify('crafted'), failed), Number(caseMsArg))
  print({ case: -1, kind: 'crafted', what, ...(outcome === 'hang' ? { result: 'hang' } : outcome) })
}

for (let i = 0; i < Number(countArg); i++) {
  const kind = ['file-bytes', 'file-bytes', 'descriptor', 'inline-descriptor', 'inline-bitmap', 'roaring'][pick(6)]
  let what
  let run
  let expected
  if (kind === 'file-bytes') {
    const k = pick(fileDvs.length)
    const m = mutateFile(original)
    storage.files.set(dvPath, m.bytes)
    what = m.what
    expected = SETS[k].join(',')
    run = () => readDeletionVector(storage, fileDvs[k])
  } else if (kind === 'descriptor') {
    const k = pick(fileDvs.length)
    const m = mutateDescriptor(fileDvs[k])
    what = m.what
    expected = SETS[k].join(',')
    run = () => readDeletionVector(storage, m.dv)
  } else if (kind === 'inline-descriptor' || kind === 'inline-bitmap') {
    const k = pick(inlineDvs.length)
    const m = kind === 'inline-bitmap' ? mutateInlineBitmap(inlineDvs[k]) : mutateDescriptor(inlineDvs[k].dv)
    what = m.what
    expected = inlineDvs[k].rows.join(',')
    run = () => readDeletionVector(storage, m.dv)
  } else {
    // The bitmap decoder alone on arbitrary mutated bytes, several mutations deep.
    const k = pick(SETS.length)
    const bytes = encodeRoaringBitmapArray(RowIndexSet.fromRows(SETS[k]))
    for (let n = 1 + pick(3); n > 0; n--) bytes[pick(bytes.length)] = pick(256)
    what = 'bitmap bytes'
    expected = SETS[k].join(',')
    run = async () => decodeRoaringBitmapArray(bytes, 'a mutated bitmap')
  }
  const outcome = await withDeadline(Promise.resolve().then(run).then(classify(expected), failed), Number(caseMsArg))
  storage.files.set(dvPath, original)
  print({ case: i, kind, what, ...(outcome === 'hang' ? { result: 'hang' } : outcome) })
}
// Z85 text of every inline DV still decodes after the batch (the module keeps no state).
for (const { dv } of inlineDvs) decodeZ85(dv.pathOrInlineDv)
print({ done: true })
