// No request ever leaves the table: for every storage (memory under a prefix, the Node file
// system, File System Access, and HTTP with each signer), hostile paths are read through the
// storage itself and through tables whose logs name hostile add, remove, deletion vector, change
// data, sidecar and `_last_checkpoint` paths, while a recorder below the storage (or the server)
// checks that every request stays under the table's prefix. Every failure is a DeltaError, and
// a decoy table beside the prefix is never read.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { tableFromArrays } from 'apache-arrow'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DeltaTable } from '../../src/api/delta-table.js'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import { DeltaError } from '../../src/delta/engine/errors.js'
import type { ParquetCodec } from '../../src/delta/engine/parquet-codec.js'
import type { Storage } from '../../src/delta/engine/storage.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { CountingStorage } from '../../src/storage/counting.js'
import { FsaStorage } from '../../src/storage/fsa.js'
import { HttpStorage } from '../../src/storage/http.js'
import { encodeKey } from '../../src/storage/http-signer.js'
import { MemoryStorage } from '../../src/storage/memory.js'
import { NodeFsStorage } from '../../src/storage/node-fs.js'
import { PrefixedStorage } from '../../src/storage/prefixed.js'
import { azureSasSigner } from '../../src/storage/signers/azure.js'
import { gcsSigner } from '../../src/storage/signers/gcs.js'
import { publicHttp } from '../../src/storage/signers/public.js'
import { s3Signer } from '../../src/storage/signers/s3.js'
import { FakeFolder } from './fake-fsa.js'
import { startObjectServer, type ObjectServer } from './object-server.js'
import { HOSTILE_PATHS } from './storage-contract.js'

// Every path the Node file system is asked for, recorded below NodeFsStorage.
const fsCalls = vi.hoisted(() => [] as string[])
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>()
  const record = <F extends (...args: never[]) => unknown>(f: F, paths: number[]): F =>
    ((...args: Parameters<F>) => {
      for (const i of paths) fsCalls.push(String(args[i]))
      return f(...args)
    }) as F
  return {
    ...fs,
    open: record(fs.open, [0]), stat: record(fs.stat, [0]), readdir: record(fs.readdir, [0]), writeFile: record(fs.writeFile, [0]),
    link: record(fs.link, [0, 1]), rename: record(fs.rename, [0, 1]), unlink: record(fs.unlink, [0]), mkdir: record(fs.mkdir, [0]),
  }
})

const TABLE_URI = 's3://bucket/tbl'
const V1 = '_delta_log/00000000000000000001.json'
const enc = new TextEncoder()

let parquet: ParquetCodec
let server: ObjectServer
let work: string
/** The intact table's files (a version 0 with one data file), by path. */
let base: Map<string, Uint8Array>
/** The decoy beside the table: what a request outside the prefix would find. */
let decoy: Map<string, Uint8Array>
let dataFile: string
let metaData: object

beforeAll(async () => {
  parquet = await nodeParquetCodec()
  server = await startObjectServer({ pageSize: 2 })
  work = await mkdtemp(join(tmpdir(), 'confinement-'))
  base = await tableFiles([1n, 2n, 3n])
  dataFile = [...base.keys()].find((p) => p.endsWith('.parquet'))!
  const commit0 = new TextDecoder().decode(base.get('_delta_log/00000000000000000000.json'))
  metaData = commit0.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((a) => 'metaData' in a)!
  const secret = await tableFiles([666n])
  decoy = new Map([...secret].map(([p, b]) => [p, b]))
  const secretData = secret.get([...secret.keys()].find((p) => p.endsWith('.parquet'))!)!
  for (const name of ['part.parquet', 'cdc.parquet', 'side.parquet', 'dv.bin', 'cp.json']) decoy.set(name, secretData)
})
afterAll(async () => {
  await server?.close()
  if (work) await rm(work, { recursive: true, force: true })
})

async function tableFiles(ids: bigint[]): Promise<Map<string, Uint8Array>> {
  const mem = new MemoryStorage()
  await writeDeltaLake(TABLE_URI, tableFromArrays({ id: BigInt64Array.from(ids) }), {
    storage: mem, parquet, configuration: { 'delta.enableChangeDataFeed': 'true' },
  })
  return new Map(await Promise.all(mem.paths().map(async (p) => [p, await mem.read(p)] as const)))
}

// --- Hostile logs --------------------------------------------------------------------------

const lines = (actions: object[]): string => `${actions.map((a) => JSON.stringify(a)).join('\n')}\n`
const info = { commitInfo: { timestamp: 2, operation: 'WRITE' } }
const addOf = (path: string, extra: object = {}): object => ({ add: { path, partitionValues: {}, size: 500, modificationTime: 2, dataChange: true, ...extra } })
const dvProtocol = { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors', 'changeDataFeed'] } }
const v2Protocol = { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['v2Checkpoint'], writerFeatures: ['v2Checkpoint', 'changeDataFeed'] } }
// The Z85 form of an all-zero UUID: the tail of a `u` deletion vector descriptor.
const ZERO_UUID_Z85 = '00000000000000000000'

/** Log paths that name a file outside the table, relative and absolute. */
const HOSTILE_LOG_PATHS = [
  '../secret/part.parquet', '%2e%2e/secret/part.parquet', '%2E%2E/secret/part.parquet', '..%2Fsecret%2Fpart.parquet',
  'a/../../secret/part.parquet', 'a%2F..%2F..%2Fsecret/part.parquet', '%252e%252e/secret/part.parquet', './../secret/part.parquet',
  'a//part.parquet', '/bucket/secret/part.parquet', '..\\secret\\part.parquet', '..%5Csecret%5Cpart.parquet',
  's3://bucket/secret/part.parquet', `${TABLE_URI}/../secret/part.parquet`, `${TABLE_URI}/..%2Fsecret/part.parquet`,
  `${TABLE_URI}/%2e%2e/secret/part.parquet`, `${TABLE_URI}/a/%2e%2e/%2e%2e/secret/part.parquet`, 'https://evil.test/part.parquet',
]

interface Scenario {
  name: string
  files: Record<string, string>
  /** The step that must fail: a read of the hostile path cannot succeed. */
  mustFail?: 'toArrow' | 'changes' | 'open'
}

function scenarios(): Scenario[] {
  const out: Scenario[] = HOSTILE_LOG_PATHS.map((p) => ({ name: `add ${p}`, files: { [V1]: lines([info, addOf(p)]) }, mustFail: 'toArrow' }))
  out.push({ name: 'remove ../secret/part.parquet', files: { [V1]: lines([info, { remove: { path: '../secret/part.parquet', deletionTimestamp: 2, dataChange: true } }]) } })
  const dv = (storageType: string, pathOrInlineDv: string): object => ({ storageType, pathOrInlineDv, offset: 1, sizeInBytes: 36, cardinality: 1 })
  const dvs: [string, object][] = [
    ['p ../secret/dv.bin', dv('p', '../secret/dv.bin')], ['p %2e%2e/secret/dv.bin', dv('p', '%2e%2e/secret/dv.bin')],
    ['p a/../../secret/dv.bin', dv('p', 'a/../../secret/dv.bin')], ['p s3://bucket/secret/dv.bin', dv('p', 's3://bucket/secret/dv.bin')],
    ['p inside-looking URI', dv('p', `${TABLE_URI}/..%2Fsecret/dv.bin`)], ['p /bucket/secret/dv.bin', dv('p', '/bucket/secret/dv.bin')],
    ['u prefix ../..', dv('u', `../..${ZERO_UUID_Z85}`)], ['u prefix %2e%2e', dv('u', `%2e%2e${ZERO_UUID_Z85}`)],
  ]
  for (const [name, deletionVector] of dvs) {
    out.push({
      name: `deletion vector ${name}`,
      files: { [V1]: lines([info, dvProtocol, { remove: { path: dataFile, deletionTimestamp: 2, dataChange: true } }, addOf(dataFile, { deletionVector })]) },
      mustFail: 'toArrow',
    })
  }
  for (const p of ['../secret/cdc.parquet', '%2e%2e/secret/cdc.parquet', 'a/../../secret/cdc.parquet', 's3://bucket/secret/cdc.parquet']) {
    out.push({ name: `cdc ${p}`, files: { [V1]: lines([info, { cdc: { path: p, partitionValues: {}, size: 500, dataChange: false } }]) }, mustFail: 'changes' })
  }
  const checkpoint = '_delta_log/00000000000000000001.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.json'
  for (const p of ['../../../secret/side.parquet', '..%2F..%2F..%2Fsecret%2Fside.parquet', '%2e%2e', '..']) {
    out.push({
      name: `sidecar ${p}`,
      files: {
        [V1]: lines([info, v2Protocol]),
        [checkpoint]: lines([{ checkpointMetadata: { version: 1 } }, v2Protocol, metaData, { sidecar: { path: p, sizeInBytes: 500, modificationTime: 1 } }]),
        '_delta_log/_last_checkpoint': JSON.stringify({ version: 1, size: 3 }),
      },
      mustFail: 'open',
    })
  }
  for (const p of ['../../secret/cp.json', '%2e%2e/%2e%2e/secret/cp.json', '_delta_log/../../secret/cp.json']) {
    out.push({
      name: `_last_checkpoint v2Checkpoint.path ${p}`,
      files: { '_delta_log/_last_checkpoint': JSON.stringify({ version: 0, size: 3, v2Checkpoint: { path: p, sizeInBytes: 500, modificationTime: 1 } }) },
    })
  }
  return out
}

// --- Storages ------------------------------------------------------------------------------

/** A storage holding the table (and the decoy beside it), and the check of what it was asked. */
interface Subject {
  storage: Storage
  /** Every request the recorder below the storage saw, as a path from the recorder's root. */
  requests(): string[]
  /** Whether a recorded request stays under the table's prefix. */
  inside(request: string): boolean
}

interface Kind {
  name: string
  make(files: Map<string, Uint8Array>): Promise<Subject>
}

// Whether a path has a part that could step out of a folder, however a server decodes it: an
// empty, '.' or '..' part, once or repeatedly percent-decoded, with '\\' as a separator too.
// Written here, apart from the library's own rule, so that the check does not trust the code it checks.
function stepsOut(path: string): boolean {
  let text = path
  for (let i = 0; i < 5; i++) {
    if (text.split(/[/\\]/).some((p) => p === '' || p === '.' || p === '..')) return true
    let decoded = text
    try {
      decoded = decodeURIComponent(text)
    } catch {
      decoded = text.replace(/%([0-7][0-9a-f])/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    }
    if (decoded === text) return false
    text = decoded
  }
  return true
}

// A path under `prefix` with no part that could step out.
function underPrefix(path: string, prefix: string): boolean {
  return (path === prefix.replace(/\/$/, '') || path.startsWith(prefix)) && !stepsOut(path)
}

function recordedPaths(storage: CountingStorage): string[] {
  return storage.calls.map((c) => c.path.replace(/\/+$/, ''))
}

// What the object server saw, as `list <prefix>` for listings and the decoded path otherwise.
function serverRequests(from: number): string[] {
  return server.requests.slice(from).map((r) => {
    const listPrefix = r.query.get('list-type') === '2' || r.query.get('comp') === 'list' || r.path.startsWith('/storage/v1/')
    return listPrefix ? `list ${decodeURIComponent(r.path)} ${r.query.get('prefix') ?? ''}` : decodeURIComponent(r.path).replace(/^\/+/, '')
  })
}

function httpKind(name: string, objectRoot: string, storageOf: () => Storage, listing: (path: string, prefix: string) => boolean): Kind {
  return {
    name,
    async make(files) {
      server.objects.clear()
      for (const [p, b] of files) server.objects.set(`${objectRoot}/tbl/${p}`, b)
      for (const [p, b] of decoy) server.objects.set(`${objectRoot}/secret/${p}`, b)
      const from = server.requests.length
      return {
        storage: storageOf(),
        requests: () => serverRequests(from),
        inside: (r) => {
          if (!r.startsWith('list ')) return underPrefix(r, `${objectRoot}/tbl/`)
          const [, path = '', prefix = ''] = r.split(' ')
          return listing(path, prefix) && (prefix === '' || !stepsOut(prefix.replace(/\/$/, '')))
        },
      }
    },
  }
}

const KINDS: Kind[] = [
  {
    name: 'MemoryStorage under a prefix',
    async make(files) {
      const inner = new MemoryStorage()
      for (const [p, b] of files) await inner.put(`tbl/${p}`, b)
      for (const [p, b] of decoy) await inner.put(`secret/${p}`, b)
      const recorder = new CountingStorage(inner)
      return { storage: new PrefixedStorage(recorder, 'tbl'), requests: () => recordedPaths(recorder), inside: (r) => underPrefix(r, 'tbl/') }
    },
  },
  {
    name: 'NodeFsStorage',
    async make(files) {
      const dir = await mkdtemp(join(work, 'fs-'))
      const put = async (path: string, b: Uint8Array): Promise<void> => {
        await mkdir(dirname(path), { recursive: true })
        await writeFile(path, b)
      }
      for (const [p, b] of files) await put(join(dir, 'tbl', ...p.split('/')), b)
      for (const [p, b] of decoy) await put(join(dir, 'secret', ...p.split('/')), b)
      const root = join(dir, 'tbl')
      const from = fsCalls.length
      const inside = (r: string): boolean => r === root || (resolve(r) === r && r.startsWith(root + sep))
      return { storage: new NodeFsStorage(root), requests: () => fsCalls.slice(from), inside }
    },
  },
  {
    name: 'FsaStorage (an in-memory folder, under a prefix)',
    async make(files) {
      const root = new FakeFolder('root')
      for (const [p, b] of files) root.seed(`tbl/${p}`, b)
      for (const [p, b] of decoy) root.seed(`secret/${p}`, b)
      root.asked.length = 0
      const storage = new PrefixedStorage(new FsaStorage(root, { locks: null }), 'tbl')
      return { storage, requests: () => [...root.asked], inside: (r) => underPrefix(r, 'tbl/') }
    },
  },
  {
    name: 'FsaStorage (an in-memory folder, the table at its root)',
    async make(files) {
      const root = new FakeFolder('root')
      const table = new FakeFolder('tbl', root.asked, 'tbl')
      for (const [p, b] of files) table.seed(p, b)
      for (const [p, b] of decoy) root.seed(`secret/${p}`, b)
      root.entries.set('tbl', table)
      root.asked.length = 0
      return { storage: new FsaStorage(table, { locks: null }), requests: () => [...root.asked], inside: (r) => underPrefix(r, 'tbl/') }
    },
  },
  httpKind('HttpStorage with s3Signer', 'bucket', () => new HttpStorage({
    signer: s3Signer({ bucket: 'bucket', region: 'us-east-1', endpoint: server.url, prefix: 'tbl', accessKeyId: 'AKIA', secretAccessKey: 'secret' }),
    retry: false,
  }), (path, prefix) => path === '/bucket' && prefix.startsWith('tbl/')),
  httpKind('HttpStorage with azureSasSigner', 'acct/cont', () => new HttpStorage({
    signer: azureSasSigner({ accountUrl: `${server.url}/acct`, container: 'cont', prefix: 'tbl', sas: 'sv=2021-08-06&sig=abc' }),
    retry: false,
  }), (path, prefix) => path === '/acct/cont' && prefix.startsWith('tbl/')),
  httpKind('HttpStorage with gcsSigner', 'bucket', () => new HttpStorage({
    signer: gcsSigner({
      bucket: 'bucket', prefix: 'tbl', endpoint: server.url, list: true,
      signUrl: (_op, name) => `${server.url}/bucket/${encodeKey(name)}?X-Goog-Signature=abc`,
    }),
    retry: false,
  }), (path, prefix) => path === '/storage/v1/b/bucket/o' && prefix.startsWith('tbl/')),
  httpKind('HttpStorage with publicHttp', 'bucket', () => new HttpStorage({
    signer: publicHttp(`${server.url}/bucket/tbl`, { listing: 's3' }),
    retry: false,
  }), (path) => path === '/bucket/tbl'),
  httpKind('HttpStorage with publicHttp and a root', 'bucket', () => new HttpStorage({
    signer: publicHttp(`${server.url}/bucket`, { listing: 's3' }),
    root: 'tbl',
    retry: false,
  }), (path, prefix) => path === '/bucket' && prefix.startsWith('tbl/')),
]

// --- The checks ----------------------------------------------------------------------------

function expectInside(subject: Subject, what: string): void {
  const requests = subject.requests()
  const outside = requests.filter((r) => !subject.inside(r))
  expect(outside, `${what}: requests outside the table`).toEqual([])
}

async function settle<T>(p: () => Promise<T>): Promise<T | Error> {
  try {
    return await p()
  } catch (e) {
    return e as Error
  }
}

function expectTyped(outcome: unknown, what: string): void {
  if (outcome instanceof Error) expect(outcome, `${what}: ${outcome.name}: ${outcome.message}`).toBeInstanceOf(DeltaError)
}

describe.each(KINDS)('$name keeps every request inside the table', (kind) => {
  it('reads the intact table, and only inside it', async () => {
    const subject = await kind.make(base)
    const table = await DeltaTable.open(TABLE_URI, { storage: subject.storage, parquet })
    expect((await table.toArrow()).getChild('id')?.toArray()).toEqual(BigInt64Array.from([1n, 2n, 3n]))
    expect((await table.changes({ startVersion: 0 })).numRows).toBe(3)
    expect(subject.requests().length).toBeGreaterThan(0)
    expectInside(subject, 'intact table')
  })

  it('refuses hostile paths given to the storage itself, before any request', async () => {
    const subject = await kind.make(base)
    const storage = subject.storage
    for (const bad of HOSTILE_PATHS) {
      const calls: [string, () => Promise<unknown>][] = [
        ['read', () => storage.read(bad)], ['ranged read', () => storage.read(bad, { offset: 0, length: 4 })], ['head', () => storage.head(bad)],
        ['put', () => storage.put(bad, enc.encode('x'))], ['create', () => storage.put(bad, enc.encode('x'), { ifAbsent: true })],
        ['delete', () => storage.delete(bad)],
      ]
      if (bad !== '' && !bad.endsWith('/')) calls.push(['list', () => storage.list(bad)])
      for (const [op, call] of calls) {
        const outcome = await settle(call)
        expect(outcome instanceof DeltaError && outcome.code === 'InvalidArgument', `${op} '${bad}': ${String(outcome)}`).toBe(true)
      }
    }
    expect(subject.requests()).toEqual([])
  })

  it('never leaves the table for a log naming hostile paths, and fails typed where it must', async () => {
    for (const scenario of scenarios()) {
      const files = new Map(base)
      for (const [p, text] of Object.entries(scenario.files)) files.set(p, enc.encode(text))
      const subject = await kind.make(files)
      const what = `${kind.name}, ${scenario.name}`
      const opened = await settle(() => DeltaTable.open(TABLE_URI, { storage: subject.storage, parquet }))
      expectTyped(opened, `${what}, open`)
      const outcomes: Record<string, unknown> = { open: opened }
      if (opened instanceof DeltaTable) {
        outcomes.toArrow = await settle(() => opened.toArrow())
        outcomes.changes = await settle(() => opened.changes({ startVersion: 0 }))
        outcomes.fileUris = await settle(() => opened.fileUris())
        outcomes.count = await settle(() => opened.count())
        for (const [step, outcome] of Object.entries(outcomes)) expectTyped(outcome, `${what}, ${step}`)
        const rows = outcomes.toArrow instanceof Error ? [] : [...((outcomes.toArrow as { getChild(n: string): { toArray(): BigInt64Array } | null }).getChild('id')?.toArray() ?? [])]
        expect(rows, `${what}: rows of the decoy`).not.toContain(666n)
      }
      if (scenario.mustFail) {
        const failed = opened instanceof Error || outcomes[scenario.mustFail] instanceof Error
        expect(failed, `${what}: ${scenario.mustFail} should have failed`).toBe(true)
      }
      expectInside(subject, what)
    }
  })
})
