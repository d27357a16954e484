import { Int64, Table, Utf8, vectorFromArray } from 'apache-arrow'
import { beforeAll, describe, expect, it } from 'vitest'
import { DeltaTable, isDeltaError, writeDeltaLake } from '../../../src/index.js'
import type { ParquetCodec } from '../../../src/delta/engine/parquet-codec.js'
import type { FileMeta, Storage } from '../../../src/delta/engine/storage.js'
import { writeCheckpoint } from '../../../src/delta/checkpoint/write.js'
import { loadSnapshot } from '../../../src/delta/log/snapshot.js'
import { commitPath } from '../../../src/delta/log/log-path.js'
import { nodeParquetCodec } from '../../../src/parquet/node.js'
import { MemoryStorage } from '../../../src/storage/memory.js'
import { NodeFsStorage } from '../../../src/storage/node-fs.js'
import { join } from 'node:path'
import { corpusTablesDir, hasCorpus } from '../../conformance/corpus.js'
import { seededRandom } from '../../helpers/child-tools.mjs'

// Hundreds of seeded mutations of the commit lines of tables our writer wrote (and, when the
// conformance corpus is there, of tables Spark wrote with deletion vectors). Each read of a
// mutated log must give either a typed DeltaError, or, only for a change the protocol permits
// (the ALLOWED list below), exactly the rows of the intact table: never an untyped error, never
// other rows.

/**
 * The changes the protocol permits, after which a reader must give the intact answer: fields and
 * actions it does not know (readers ignore them), the order of keys, whitespace-only lines and
 * CRLF line ends, commitInfo's free-form content (all but inCommitTimestamp), a commitInfo
 * repeated, optional fields that do not decide which rows are read, and a path spelled with
 * other percent-encoding of the same characters (one file: paths are decoded URIs).
 */
const ALLOWED = new Set([
  'unknown-field', 'unknown-action', 'reorder-keys', 'blank-line', 'crlf', 'commit-info-content', 'duplicate-commit-info',
  'drop-optional', 'reencode-path',
])

/** The protocol's type of each field this test mutates, per action. */
type FieldType = 'string' | 'path' | 'long' | 'count' | 'version' | 'bool' | 'map' | 'list' | 'struct' | 'schema'
const FIELDS: Record<string, Record<string, FieldType>> = {
  add: {
    path: 'path', partitionValues: 'map', size: 'count', modificationTime: 'long', dataChange: 'bool', stats: 'string', tags: 'map',
    deletionVector: 'struct', baseRowId: 'count', defaultRowCommitVersion: 'count', clusteringProvider: 'string',
  },
  remove: {
    path: 'path', deletionTimestamp: 'long', dataChange: 'bool', extendedFileMetadata: 'bool', partitionValues: 'map', size: 'count',
    stats: 'string', tags: 'map', deletionVector: 'struct',
  },
  metaData: {
    id: 'string', name: 'string', description: 'string', format: 'struct', schemaString: 'schema', partitionColumns: 'list',
    configuration: 'map', createdTime: 'long',
  },
  protocol: { minReaderVersion: 'version', minWriterVersion: 'version', readerFeatures: 'list', writerFeatures: 'list' },
  txn: { appId: 'string', version: 'long', lastUpdated: 'long' },
  cdc: { path: 'path', partitionValues: 'map', size: 'count', dataChange: 'bool', tags: 'map' },
  domainMetadata: { domain: 'path', configuration: 'string', removed: 'bool' },
}
const REQUIRED: Record<string, string[]> = {
  add: ['path', 'partitionValues', 'size', 'modificationTime', 'dataChange'],
  remove: ['path', 'dataChange'],
  metaData: ['id', 'format', 'partitionColumns', 'configuration'],
  protocol: ['minReaderVersion', 'minWriterVersion'],
  txn: ['appId', 'version'],
  cdc: ['path', 'partitionValues', 'size', 'dataChange'],
  domainMetadata: ['domain', 'configuration', 'removed'],
}
// Optional fields whose absence leaves the rows read unchanged.
const HARMLESS_OPTIONAL: Record<string, string[]> = {
  add: ['stats', 'tags'],
  remove: ['deletionTimestamp', 'extendedFileMetadata', 'partitionValues', 'size', 'stats', 'tags'],
  metaData: ['name', 'description', 'createdTime'],
  txn: ['lastUpdated'],
}
const DEEP = 10_000
const deepValue = `${'['.repeat(DEEP)}1${']'.repeat(DEEP)}`

/** Values of the wrong type for each field type (as JSON text; DEEP nests 10,000 lists). */
function wrongValues(t: FieldType): string[] {
  const common = ['[]', '{}', deepValue]
  switch (t) {
    case 'string': return ['1', 'true', ...common]
    case 'path': return ['""', '7', 'false', ...common]
    case 'long': return ['"12"', '1.5', '1e300', 'true', ...common]
    case 'count': return ['-1', '"12"', '0.25', '1e300', '9007199254740993', ...common]
    case 'version': return ['0', '-3', '"1"', '2.5', ...common]
    case 'bool': return ['"true"', '1', 'null', ...common]
    case 'map': return ['"a=b"', '3', '["a"]', '{"k":1}', '{"k":{"x":"y"}}', deepValue]
    case 'list': return ['"a"', '3', '{}', '[1]', '[null]', deepValue]
    case 'struct': return ['"x"', '3', '[]', deepValue]
    case 'schema': return ['42', '"{\\"type\\":"', '"[]"', deepValue]
  }
}

/** A storage that shows one table's files with some of them replaced. */
class OverlayStorage implements Storage {
  readonly capabilities = { atomicCreate: true, list: true, write: false }
  constructor(private readonly base: Storage, private readonly replaced: ReadonlyMap<string, Uint8Array>) {}

  async list(dir: string, opts?: { startAfter?: string }): Promise<FileMeta[]> {
    return (await this.base.list(dir, opts)).map((f) => {
      const r = this.replaced.get(f.path)
      return r ? { ...f, size: r.length } : f
    })
  }

  async read(path: string, range?: { offset: number; length: number }): Promise<Uint8Array> {
    const r = this.replaced.get(path)
    if (!r) return this.base.read(path, range)
    return range ? r.slice(range.offset, range.offset + range.length) : r.slice()
  }

  async head(path: string): Promise<FileMeta | undefined> {
    const meta = await this.base.head(path)
    const r = this.replaced.get(path)
    return meta && r ? { ...meta, size: r.length } : meta
  }

  put(): Promise<void> {
    return Promise.reject(new Error('read only'))
  }

  delete(): Promise<void> {
    return Promise.reject(new Error('read only'))
  }
}

interface WrittenTable {
  name: string
  storage: Storage
  /** Commits a reader of the latest version reads (after the newest checkpoint). */
  commits: number[]
  rows: string[]
}

interface Mutation {
  table: string
  version: number
  kind: string
  what: string
  bytes: Uint8Array
}

let parquet: ParquetCodec
const tables: WrittenTable[] = []
const enc = new TextEncoder()
const dec = new TextDecoder()

const batch = (ids: number[], ps: string[] = ids.map(() => 'x')): Table =>
  new Table({ id: vectorFromArray(ids.map(BigInt), new Int64()), s: vectorFromArray(ids.map((i) => `row ${i}`), new Utf8()), p: vectorFromArray(ps, new Utf8()) })

async function rowsOf(storage: Storage): Promise<string[]> {
  const t = await DeltaTable.open('mem', { storage, parquet })
  const data = await t.toArrow()
  return data.toArray().map((r) => JSON.stringify(r.toJSON(), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort()
}

async function written(name: string, build: (storage: MemoryStorage) => Promise<number>): Promise<WrittenTable> {
  const storage = new MemoryStorage()
  const first = await build(storage)
  const latest = (await loadSnapshot({ storage, parquet })).version
  return { name, storage, commits: Array.from({ length: latest - first + 1 }, (_, i) => first + i), rows: await rowsOf(storage) }
}

beforeAll(async () => {
  parquet = await nodeParquetCodec()
  const opts = (storage: Storage) => ({ storage, parquet })
  tables.push(await written('plain', async (storage) => {
    await writeDeltaLake('mem', batch([1, 2, 3, 4]), opts(storage))
    await writeDeltaLake('mem', batch([5, 6, 7]), { ...opts(storage), mode: 'append' })
    await (await DeltaTable.open('mem', opts(storage))).delete('id = 2')
    await writeCheckpoint({ storage, parquet }, await loadSnapshot({ storage, parquet }, undefined, { tombstones: true }))
    await writeDeltaLake('mem', batch([8, 9]), { ...opts(storage), mode: 'append', commitProperties: { appTransactions: [{ appId: 'app', version: 4 }] } })
    await (await DeltaTable.open('mem', opts(storage))).delete('id = 6')
    return 3
  }))
  tables.push(await written('partitioned', async (storage) => {
    await writeDeltaLake('mem', batch([1, 2, 3, 4], ['a', 'b', 'c', 'a']), { ...opts(storage), partitionBy: ['p'] })
    await writeDeltaLake('mem', batch([5, 6], ['b', 'd']), { ...opts(storage), mode: 'append' })
    await (await DeltaTable.open('mem', opts(storage))).delete("p = 'c'")
    await (await DeltaTable.open('mem', opts(storage))).delete('id = 1')
    return 0
  }))
  tables.push(await written('column mapping', async (storage) => {
    const configuration = { 'delta.columnMapping.mode': 'name', 'delta.checkpoint.writeStatsAsStruct': 'true', 'app.custom': 'kept' }
    await writeDeltaLake('mem', batch([1, 2, 3], ['a', 'a', 'b']), { ...opts(storage), partitionBy: ['p'], configuration })
    await writeDeltaLake('mem', batch([4], ['c']), { ...opts(storage), mode: 'append' })
    await (await DeltaTable.open('mem', opts(storage))).delete('id = 3')
    return 0
  }))
  // Spark tables with deletion vectors, the second with a checkpoint: their commits after it.
  if (hasCorpus()) {
    for (const name of ['table-with-dv-small', 'dv-partitioned-with-checkpoint']) {
      const storage = new NodeFsStorage(join(corpusTablesDir(), name))
      const segment = (await loadSnapshot({ storage, parquet })).segment
      tables.push({ name, storage, commits: segment.commits.map((c) => c.version), rows: await rowsOf(storage) })
    }
  }
}, 60_000)

/** The lines of a commit, as text. */
function linesOf(storage: Storage, version: number): Promise<string[]> {
  return storage.read(commitPath(version)).then((b) => dec.decode(b).split('\n').filter((l) => l !== ''))
}

const kindOf = (line: string): string => Object.keys(JSON.parse(line) as object)[0]!
const bodyOf = (line: string): Record<string, unknown> => (JSON.parse(line) as Record<string, Record<string, unknown>>)[kindOf(line)]!
/** A line with `field` of its action set to raw JSON text. */
function withField(line: string, field: string, json: string): string {
  const kind = kindOf(line)
  return JSON.stringify({ [kind]: { ...bodyOf(line), [field]: '\u0001MARK' } }).replace('"\\u0001MARK"', json)
}
function without(line: string, field: string): string {
  const kind = kindOf(line)
  const body = bodyOf(line)
  delete body[field]
  return JSON.stringify({ [kind]: body })
}

// Faults of a deletion vector descriptor: a field of the wrong type, out of range, or absent.
const DV_FAULTS: [string, string | undefined][] = [
  ['storageType', '"x"'], ['storageType', '1'], ['storageType', undefined], ['pathOrInlineDv', '""'], ['pathOrInlineDv', '5'],
  ['pathOrInlineDv', undefined], ['offset', '-1'], ['offset', '"4"'], ['sizeInBytes', '-2'], ['sizeInBytes', '1.5'],
  ['sizeInBytes', undefined], ['cardinality', '"2"'], ['cardinality', '1e300'], ['cardinality', undefined], ['maxRowIndex', '-1'],
]

const TARGETS: Record<string, string[]> = {
  'dv-field': ['add', 'remove'],
  'bad-schema': ['metaData'],
  'bad-partition-columns': ['metaData'],
  'deep-commit-info': ['commitInfo'],
  'commit-info-content': ['commitInfo'],
  'duplicate-commit-info': ['commitInfo'],
  'reencode-path': ['add', 'remove'],
}

/** Mutations of one commit's lines, each of a kind, drawn with `rand`. */
function mutate(lines: string[], rand: () => number, kind: string): { what: string; lines: string[] } | { what: string; bytes: Uint8Array } | undefined {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  // Kinds about one action mutate a line of that action.
  const wanted = TARGETS[kind]
  const candidates = lines.map((_, j) => j).filter((j) => !wanted || wanted.includes(kindOf(lines[j]!)))
  if (candidates.length === 0) return undefined
  const i = pick(candidates)
  const line = lines[i]!
  const action = kindOf(line)
  const replace = (l: string): string[] => lines.map((x, j) => (j === i ? l : x))
  const fields = FIELDS[action] ?? {}
  switch (kind) {
    case 'drop-required': {
      const f = REQUIRED[action]
      if (!f) return undefined
      const field = pick(f)
      return { what: `drop ${action}.${field}`, lines: replace(without(line, field)) }
    }
    case 'wrong-type': {
      const names = Object.keys(fields)
      if (names.length === 0) return undefined
      const field = pick(names)
      // null stands for an absent field: wrong only where the field is required.
      const value = pick(wrongValues(fields[field]!).filter((v) => v !== 'null' || REQUIRED[action]!.includes(field)))
      return { what: `${action}.${field} = ${value.slice(0, 30)}`, lines: replace(withField(line, field, value)) }
    }
    case 'invalid-utf8': {
      const bytes = enc.encode(lines.join('\n') + '\n')
      const at = Math.floor(rand() * bytes.length)
      const bad = pick([[0xff], [0xfe], [0xc3], [0xe2, 0x28, 0xa1], [0xf0, 0x90, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0x80]])
      return { what: `bytes ${bad.map((b) => b.toString(16))} at ${at}`, bytes: Uint8Array.from([...bytes.slice(0, at), ...bad, ...bytes.slice(at)]) }
    }
    case 'truncate-line': {
      const cut = 1 + Math.floor(rand() * (line.length - 2))
      return { what: `line ${i + 1} cut at ${cut}`, lines: replace(line.slice(0, cut)) }
    }
    case 'duplicate-line': {
      if (!['add', 'remove', 'metaData', 'protocol', 'txn'].includes(action)) return undefined
      return { what: `${action} line ${i + 1} twice`, lines: [...lines.slice(0, i + 1), line, ...lines.slice(i + 1)] }
    }
    case 'merge-lines': {
      const j = lines.findIndex((l, k) => k !== i && kindOf(l) !== action)
      if (j < 0) return undefined
      const merged = JSON.stringify({ ...(JSON.parse(line) as object), ...(JSON.parse(lines[j]!) as object) })
      return { what: `${action} and ${kindOf(lines[j]!)} on one line`, lines: replace(merged).filter((_, k) => k !== j) }
    }
    case 'not-object': return { what: `line ${i + 1} not an object`, lines: replace(pick(['[1,2]', '"add"', '42', 'null', `[${line}]`])) }
    case 'null-action': return { what: `${action}: null`, lines: replace(JSON.stringify({ [action]: null })) }
    case 'action-not-object': return { what: `${action} not an object`, lines: replace(`{"${action}":${pick(['[]', '"x"', '7', deepValue])}}`) }
    case 'bad-schema': {
      if (action !== 'metaData') return undefined
      const schema = JSON.parse(bodyOf(line).schemaString as string) as { fields: { name: string }[] }
      const dup = { ...schema.fields[0]!, name: schema.fields[0]!.name.toUpperCase() === schema.fields[0]!.name ? schema.fields[0]!.name.toLowerCase() : schema.fields[0]!.name.toUpperCase() }
      const deep = `${'{"type":"struct","fields":[{"name":"x","nullable":true,"metadata":{},"type":'.repeat(2_000)}"long"${'}]}'.repeat(2_000)}`
      const choice = pick([
        JSON.stringify(JSON.stringify({ ...schema, fields: [...schema.fields, dup] })),
        JSON.stringify(`{"type":"struct","fields":[{"name":"c","nullable":true,"metadata":{},"type":${deep}}]}`),
        JSON.stringify(JSON.stringify({ type: 'struct', fields: [{ name: 5 }] })),
      ])
      return { what: 'schemaString invalid', lines: replace(withField(line, 'schemaString', choice)) }
    }
    case 'bad-partition-columns': {
      if (action !== 'metaData') return undefined
      return { what: 'partitionColumns unknown', lines: replace(withField(line, 'partitionColumns', pick(['["nope"]', '["p","p"]', '["id","ID"]']))) }
    }
    case 'dv-field': {
      const dv = bodyOf(line).deletionVector as Record<string, unknown> | undefined
      if (!dv) return undefined
      const [field, value] = pick(DV_FAULTS)
      const changed = { ...dv, [field]: value === undefined ? undefined : JSON.parse(value) as unknown }
      return { what: `${action}.deletionVector.${field} = ${value ?? 'absent'}`, lines: replace(withField(line, 'deletionVector', JSON.stringify(changed))) }
    }
    case 'deep-commit-info': {
      if (action !== 'commitInfo') return undefined
      return { what: 'commitInfo nested 10,000 deep', lines: replace(withField(line, 'deep', deepValue)) }
    }
    // Changes the protocol permits.
    case 'unknown-field': return { what: `${action} + unknown field`, lines: replace(withField(line, pick(['futureField', 'x_y', 'pathX']), pick(['1', '"s"', '{"a":[1,{}]}', deepValue]))) }
    case 'unknown-action': return { what: 'unknown action line', lines: [...lines.slice(0, i), pick(['{"futureAction":{"a":1}}', '{"zzz":[1,2,3]}', `{"later":${deepValue}}`]), ...lines.slice(i)] }
    case 'reorder-keys': return { what: `${action} keys reversed`, lines: replace(JSON.stringify({ [action]: Object.fromEntries(Object.entries(bodyOf(line)).reverse()) })) }
    case 'blank-line': return { what: 'blank line', lines: [...lines.slice(0, i), pick(['', '   ', '\t']), ...lines.slice(i)] }
    case 'crlf': return { what: 'CRLF', bytes: enc.encode(lines.join('\r\n') + '\r\n') }
    case 'commit-info-content': {
      if (action !== 'commitInfo') return undefined
      return { what: 'commitInfo content', lines: replace(withField(line, pick(['operation', 'timestamp', 'operationParameters', 'isBlindAppend']), pick(['7', '"x"', 'null', '[[1]]', deepValue]))) }
    }
    case 'duplicate-commit-info': {
      if (action !== 'commitInfo') return undefined
      return { what: 'commitInfo twice', lines: [...lines.slice(0, i + 1), line, ...lines.slice(i + 1)] }
    }
    case 'drop-optional': {
      const optional = (HARMLESS_OPTIONAL[action] ?? []).filter((f) => f in bodyOf(line))
      if (optional.length === 0) return undefined
      const field = pick(optional)
      return { what: `drop ${action}.${field}`, lines: replace(without(line, field)) }
    }
    case 'reencode-path': {
      if (action !== 'add' && action !== 'remove') return undefined
      const path = bodyOf(line).path as string
      const encoded = path.replace(/[-.=_]/g, (c) => (rand() < 0.5 ? `%${c.charCodeAt(0).toString(16).toUpperCase()}` : c))
      if (encoded === path) return undefined
      return { what: `${action} path ${encoded}`, lines: replace(withField(line, 'path', JSON.stringify(encoded))) }
    }
  }
  return undefined
}

const REFUSED = [
  'drop-required', 'wrong-type', 'invalid-utf8', 'truncate-line', 'duplicate-line', 'merge-lines', 'not-object', 'null-action',
  'action-not-object', 'bad-schema', 'bad-partition-columns', 'dv-field',
]
const KINDS = [...REFUSED, ...ALLOWED, 'deep-commit-info']
ALLOWED.add('deep-commit-info')

async function mutations(table: WrittenTable, count: number, seed: number): Promise<Mutation[]> {
  const rand = seededRandom(seed)
  const commits = await Promise.all(table.commits.map(async (version) => ({ version, lines: await linesOf(table.storage, version) })))
  const out: Mutation[] = []
  for (let n = 0; out.length < count && n < count * 20; n++) {
    const kind = KINDS[n % KINDS.length]!
    // Kinds about one action mutate a commit that has one.
    const wanted = TARGETS[kind]
    const eligible = commits.filter((c) => !wanted || c.lines.some((l) => wanted.includes(kindOf(l))))
    if (eligible.length === 0) continue
    const { version, lines } = eligible[Math.floor(rand() * eligible.length)]!
    const m = mutate(lines, rand, kind)
    if (!m) continue
    const bytes = 'bytes' in m ? m.bytes : enc.encode(m.lines.join('\n') + '\n')
    out.push({ table: table.name, version, kind, what: m.what, bytes })
  }
  return out
}

describe('hostile commit lines', () => {
  it('give a typed error, or the intact rows only where the protocol permits the change', async () => {
    const failures: string[] = []
    const seen = new Map<string, number>()
    for (const [t, table] of tables.entries()) {
      for (const m of await mutations(table, table.storage instanceof MemoryStorage ? 130 : 60, 1000 + t)) {
        seen.set(m.kind, (seen.get(m.kind) ?? 0) + 1)
        const storage = new OverlayStorage(table.storage, new Map([[commitPath(m.version), m.bytes]]))
        const label = `${m.table} v${m.version} ${m.kind}: ${m.what}`
        try {
          const rows = await rowsOf(storage)
          if (!ALLOWED.has(m.kind)) failures.push(`${label}: read although the log is invalid`)
          else if (JSON.stringify(rows) !== JSON.stringify(table.rows)) failures.push(`${label}: other rows`)
        } catch (e) {
          if (!isDeltaError(e)) failures.push(`${label}: untyped ${String(e).slice(0, 200)}`)
          else if (ALLOWED.has(m.kind)) failures.push(`${label}: refused a change the protocol permits: ${e.message.slice(0, 300)}`)
        }
      }
    }
    expect(failures).toEqual([])
    // Every kind of mutation ran, many times over.
    for (const kind of KINDS) if (kind !== 'dv-field' || hasCorpus()) expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(2)
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(390)
  }, 60_000)
})
