// HttpStorage against a server that fails the way real ones do: busy (429, 5xx), cut bodies,
// short or wrong ranges, 416, stalls, listings that never end. Every outcome is the right bytes
// or a typed DeltaError, retries happen only where a retry may help, and a signal stops all.
import type { ServerResponse } from 'node:http'
import { tableFromArrays } from 'apache-arrow'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../src/api/delta-table.js'
import { writeDeltaLake } from '../../src/api/write-deltalake.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { DeltaError, isDeltaError, type DeltaErrorCode } from '../../src/delta/engine/errors.js'
import { HttpStorage, type HttpStorageOptions, type Signer } from '../../src/storage/http.js'
import { encodeKey } from '../../src/storage/http-signer.js'
import { publicHttp } from '../../src/storage/signers/public.js'
import { cutAfter, replyError, serveBytes, stallAfter, startFaultServer, type FaultRequest, type FaultServer } from './fault-server.js'
import { startObjectServer, type ObjectServer } from './object-server.js'

let server: FaultServer
let store: ObjectServer

beforeAll(async () => {
  server = await startFaultServer()
  store = await startObjectServer()
})
afterAll(async () => {
  await server?.close()
  await store?.close()
})
beforeEach(() => {
  server.requests.length = 0
  store.requests.length = 0
  store.fault = undefined
})

const FILE = Uint8Array.from({ length: 1000 }, (_, i) => (i * 13 + 7) % 256)
const FAST = { baseDelayMs: 2, maxDelayMs: 10 }

function storageOf(opts: Partial<HttpStorageOptions> = {}): HttpStorage {
  return new HttpStorage({ signer: publicHttp(`${server.url}/t`, { listing: 's3' }), retry: FAST, ...opts })
}

async function outcome(p: Promise<unknown>): Promise<unknown> {
  return p.then((v) => v, (e: unknown) => e)
}

async function expectCode(p: Promise<unknown>, code: DeltaErrorCode): Promise<DeltaError> {
  const e = await outcome(p)
  expect(isDeltaError(e, code), `expected DeltaError ${code}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`).toBe(true)
  return e as DeltaError
}

// A handler that fails the first `times` requests with `fail`, then serves FILE (and a listing).
function failFirst(times: number, fail: (req: FaultRequest, res: ServerResponse) => void): (req: FaultRequest, res: ServerResponse) => void {
  return (req, res) => {
    if (req.n <= times) return fail(req, res)
    if (req.query.get('list-type') === '2') {
      return void res.writeHead(200).end('<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>_delta_log/0.json</Key><Size>3</Size></Contents></ListBucketResult>')
    }
    serveBytes(req, res, FILE)
  }
}

const TRANSIENT: [string, (req: FaultRequest, res: ServerResponse) => void][] = [
  ...[408, 429, 500, 502, 503, 504].map((status) => [`HTTP ${status}`, (_: FaultRequest, res: ServerResponse) => replyError(res, status, 'SlowDown')] as [string, (req: FaultRequest, res: ServerResponse) => void]),
  ['a reset connection', (_req, res) => res.socket?.destroy()],
  ['a body cut mid-stream', (_req, res) => cutAfter(res, FILE, 5)],
]

describe('HttpStorage retries what may pass', () => {
  for (const [name, fail] of TRANSIENT) {
    it(`reads, heads and lists through one ${name}`, async () => {
      const storage = storageOf()
      server.handle(failFirst(1, fail))
      expect(await storage.read('f.bin')).toEqual(FILE)
      server.handle(failFirst(1, fail))
      server.requests.length = 0
      expect(await storage.read('f.bin', { offset: 10, length: 20 })).toEqual(FILE.slice(10, 30))
      expect(server.requests).toHaveLength(2)
      if (name !== 'a body cut mid-stream') {
        server.requests.length = 0
        server.handle(failFirst(1, fail))
        expect((await storage.head('f.bin'))?.size).toBe(1000)
        server.requests.length = 0
        server.handle(failFirst(1, fail))
        expect((await storage.list('_delta_log')).map((f) => f.path)).toEqual(['_delta_log/0.json'])
        expect(server.requests).toHaveLength(2)
      }
    })
  }

  it('fails typed after the attempts when the server stays busy, naming the file', async () => {
    server.handle((_req, res) => replyError(res, 503, 'SlowDown'))
    const e = await expectCode(storageOf({ retry: { ...FAST, attempts: 3 } }).read('f.bin'), 'Unavailable')
    expect(e.message).toContain('f.bin')
    expect(server.requests).toHaveLength(3)
    server.requests.length = 0
    await expectCode(storageOf({ retry: { ...FAST, attempts: 3 } }).list('_delta_log'), 'Unavailable')
    expect(server.requests).toHaveLength(3)
  })

  it('fails typed after the attempts when every body is cut', async () => {
    server.handle((_req, res) => cutAfter(res, FILE, 10))
    const e = await expectCode(storageOf({ retry: { ...FAST, attempts: 2 } }).read('f.bin'), 'Unavailable')
    expect(e.message).toMatch(/cut/)
    expect(server.requests).toHaveLength(2)
  })

  it('stops retrying when the time budget is spent', async () => {
    server.handle((_req, res) => replyError(res, 500, 'InternalError'))
    const started = Date.now()
    await expectCode(storageOf({ retry: { attempts: 1000, baseDelayMs: 20, maxDelayMs: 20, budgetMs: 150 } }).read('f.bin'), 'Unavailable')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(server.requests.length).toBeGreaterThan(1)
    expect(server.requests.length).toBeLessThan(100)
  })

  it('never retries other 4xx answers, nor with retry off', async () => {
    for (const status of [400, 401, 403, 404, 405, 409, 412, 416, 501]) {
      server.requests.length = 0
      server.handle((_req, res) => replyError(res, status, 'Nope'))
      const e = await outcome(storageOf().read('f.bin', { offset: 0, length: 4 }))
      expect(e, `HTTP ${status}`).toBeInstanceOf(DeltaError)
      expect(server.requests, `HTTP ${status}`).toHaveLength(1)
    }
    server.requests.length = 0
    server.handle((_req, res) => replyError(res, 503, 'SlowDown'))
    await expectCode(storageOf({ retry: false }).read('f.bin'), 'Unavailable')
    expect(server.requests).toHaveLength(1)
  })

  it("waits as long as Retry-After asks, and gives up at once when that passes the budget", async () => {
    server.handle(failFirst(1, (_req, res) => replyError(res, 429, 'SlowDown', { 'Retry-After': '1' })))
    const started = Date.now()
    expect(await storageOf().read('f.bin')).toEqual(FILE)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    server.requests.length = 0
    server.handle(failFirst(1, (_req, res) => replyError(res, 503, 'SlowDown', { 'Retry-After': '60' })))
    await expectCode(storageOf({ retry: { ...FAST, budgetMs: 1000 } }).read('f.bin'), 'Unavailable')
    expect(server.requests).toHaveLength(1)
  })

  it('refuses nonsense retry, stall and page options', () => {
    for (const bad of [{ retry: { attempts: 0 } }, { retry: { attempts: 1.5 } }, { retry: { baseDelayMs: -1 } }, { stallTimeoutMs: 0 }, { maxListPages: -3 }]) {
      expect(() => storageOf(bad as Partial<HttpStorageOptions>), JSON.stringify(bad)).toThrow(DeltaError)
    }
  })
})

describe('HttpStorage reads exactly what was asked', () => {
  it('refuses a 206 shorter than the range (the file ends early) without retrying', async () => {
    server.handle((req, res) => serveBytes(req, res, FILE.subarray(0, 500)))
    const e = await expectCode(storageOf().read('f.bin', { offset: 400, length: 200 }), 'InvalidData')
    expect(e.message).toContain('f.bin')
    expect(e.message).toContain('500 bytes')
    expect(server.requests).toHaveLength(1)
  })

  it('refuses a short 206 that gives no sizes at all', async () => {
    server.handle((_req, res) => void res.writeHead(206).end(Buffer.from(FILE.subarray(0, 5))))
    await expectCode(storageOf().read('f.bin', { offset: 0, length: 10 }), 'InvalidData')
  })

  it('refuses a 206 for another range, and trims a longer one', async () => {
    server.handle((_req, res) => void res.writeHead(206, { 'Content-Range': 'bytes 0-9/1000' }).end(Buffer.from(FILE.subarray(0, 10))))
    await expectCode(storageOf().read('f.bin', { offset: 5, length: 5 }), 'InvalidData')
    server.handle((_req, res) => void res.writeHead(206, { 'Content-Range': 'bytes 5-99/1000' }).end(Buffer.from(FILE.subarray(5, 100))))
    expect(await storageOf().read('f.bin', { offset: 5, length: 5 })).toEqual(FILE.slice(5, 10))
  })

  it('slices a 200 that ignored Range, and refuses one too short for the range', async () => {
    server.handle((_req, res) => void res.writeHead(200, { 'Content-Length': FILE.length }).end(Buffer.from(FILE)))
    const got = await storageOf().read('f.bin', { offset: 990, length: 10 })
    expect(got).toEqual(FILE.slice(990))
    expect(got.buffer.byteLength).toBe(10)
    const e = await expectCode(storageOf().read('f.bin', { offset: 995, length: 10 }), 'InvalidData')
    expect(e.message).toContain('1000 bytes')
  })

  it('turns a 416 into InvalidData naming the file', async () => {
    server.handle((_req, res) => void res.writeHead(416, { 'Content-Range': 'bytes */1000' }).end())
    const e = await expectCode(storageOf().read('data/part-0.parquet', { offset: 1000, length: 8 }), 'InvalidData')
    expect(e.message).toContain('data/part-0.parquet')
    expect(server.requests).toHaveLength(1)
  })

  it('refuses astronomical and broken ranges before any request', async () => {
    for (const range of [{ offset: 0, length: 1e300 }, { offset: 1e300, length: 8 }, { offset: Number.NaN, length: 1 }, { offset: -8, length: 8 }, { offset: 2 ** 52, length: 2 ** 52 }]) {
      await expectCode(storageOf().read('f.bin', range), 'InvalidArgument')
    }
    expect(server.requests).toHaveLength(0)
  })
})

describe('HttpStorage never follows a redirect out of the table', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`refuses a ${status} without asking where it points`, async () => {
      server.handle((req, res) => (req.path.startsWith('/t/') ? void res.writeHead(status, { Location: '/elsewhere/secret.bin' }).end() : serveBytes(req, res, FILE)))
      const e = await expectCode(storageOf().read('f.bin'), 'InvalidArgument')
      expect(e.message).toMatch(/redirect/)
      await expectCode(storageOf().read('f.bin', { offset: 0, length: 10 }), 'InvalidArgument')
      expect(server.requests.map((r) => r.path).every((p) => p.startsWith('/t/'))).toBe(true)
    })
  }
})

describe('HttpStorage never hangs', () => {
  it('gives up on a server that never answers after the stall timeout, typed', async () => {
    server.handle(() => undefined)
    const started = Date.now()
    const e = await expectCode(storageOf({ stallTimeoutMs: 150, retry: { ...FAST, attempts: 2 } }).read('f.bin'), 'Unavailable')
    expect(e.message).toMatch(/no progress/)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(server.requests).toHaveLength(2)
  })

  it('gives up on a body that stops mid-way, and on a listing that never answers', async () => {
    server.handle((_req, res) => stallAfter(res, FILE, 100))
    await expectCode(storageOf({ stallTimeoutMs: 150, retry: false }).read('f.bin'), 'Unavailable')
    server.handle(() => undefined)
    await expectCode(storageOf({ stallTimeoutMs: 150, retry: false }).list('_delta_log'), 'Unavailable')
    await expectCode(storageOf({ stallTimeoutMs: 150, retry: false }).head('f.bin'), 'Unavailable')
  })

  it('is not fooled by a slow but steady body', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Length': FILE.length })
      let at = 0
      const tick = setInterval(() => {
        res.write(Buffer.from(FILE.subarray(at, at + 100)))
        at += 100
        if (at >= FILE.length) {
          clearInterval(tick)
          res.end()
        }
      }, 40)
    })
    expect(await storageOf({ stallTimeoutMs: 150, retry: false }).read('f.bin')).toEqual(FILE)
  })

  it('rejects with Cancelled as soon as the signal is aborted, and retries nothing after', async () => {
    server.handle(() => undefined)
    const controller = new AbortController()
    const pending = storageOf().read('f.bin', undefined, { signal: controller.signal })
    await new Promise((r) => setTimeout(r, 50))
    const started = Date.now()
    controller.abort()
    await expectCode(pending, 'Cancelled')
    expect(Date.now() - started).toBeLessThan(500)
    await new Promise((r) => setTimeout(r, 50))
    expect(server.requests).toHaveLength(1)
  })

  it('rejects with Cancelled while waiting to retry, and sends nothing for an aborted signal', async () => {
    server.handle((_req, res) => replyError(res, 503, 'SlowDown'))
    const controller = new AbortController()
    const pending = storageOf({ retry: { baseDelayMs: 5000, maxDelayMs: 5000, attempts: 3 } }).read('f.bin', undefined, { signal: controller.signal })
    await new Promise((r) => setTimeout(r, 100))
    controller.abort()
    await expectCode(pending, 'Cancelled')
    expect(server.requests.length).toBeLessThanOrEqual(2)
    server.requests.length = 0
    const storage = storageOf()
    const signal = AbortSignal.abort()
    await expectCode(storage.read('f.bin', undefined, { signal }), 'Cancelled')
    await expectCode(storage.head('f.bin', { signal }), 'Cancelled')
    await expectCode(storage.list('_delta_log', { signal }), 'Cancelled')
    expect(server.requests).toHaveLength(0)
  })
})

describe('HttpStorage listings end or fail typed', () => {
  it('refuses an S3 page that is truncated but gives no token', async () => {
    server.handle((_req, res) => void res.writeHead(200).end('<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>_delta_log/0.json</Key><Size>1</Size></Contents></ListBucketResult>'))
    const e = await expectCode(storageOf().list('_delta_log'), 'InvalidData')
    expect(e.message).toMatch(/truncated/)
  })

  it('refuses answers that are not listings at all', async () => {
    for (const body of ['<html><body>Welcome</body></html>', '', '{"items": []}']) {
      server.handle((_req, res) => void res.writeHead(200).end(body))
      await expectCode(storageOf().list('_delta_log'), 'InvalidData')
    }
  })

  const endless: [string, 's3' | 'azure' | 'gcs', (n: number) => string][] = [
    ['S3', 's3', (n) => `<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t${n}</NextContinuationToken></ListBucketResult>`],
    ['Azure', 'azure', (n) => `<EnumerationResults><Blobs/><NextMarker>m${n}</NextMarker></EnumerationResults>`],
    ['GCS', 'gcs', (n) => JSON.stringify({ items: [], nextPageToken: `p${n}` })],
  ]
  for (const [name, dialect, page] of endless) {
    it(`stops a ${name} listing that hands out fresh tokens forever after maxListPages`, async () => {
      server.handle((req, res) => void res.writeHead(200).end(page(req.n)))
      const signer = (_op: string, path: string): { url: string } => ({ url: `${server.url}/list/${encodeKey(path)}` })
      const storage = new HttpStorage({ signer, listing: dialect, maxListPages: 7, retry: FAST })
      const e = await expectCode(storage.list('_delta_log'), 'InvalidData')
      expect(e.message).toContain('maxListPages')
      expect(server.requests).toHaveLength(7)
    })
  }
})

describe('HttpStorage retries a conditional create without losing or doubling it', () => {
  const signer = (_op: string, path: string): { url: string } => ({ url: `${store.url}/b/${encodeKey(path)}` })
  const commit = new TextEncoder().encode('{"commitInfo":{"txnId":"ours"}}\n')
  const key = 'b/_delta_log/00000000000000000001.json'

  function writable(conditionalCreate: 'if-none-match' | 'none' = 'if-none-match'): HttpStorage {
    return new HttpStorage({ signer, conditionalCreate, retry: { ...FAST, attempts: 3 } })
  }

  // The first PUT is stored but answered 503 (an acknowledgement lost on the way back).
  function landThenFail(): void {
    let failed = false
    store.fault = (req, res) => {
      if (req.method !== 'PUT' || failed) return false
      failed = true
      store.objects.set(decodeURIComponent(req.path).slice(1), new Uint8Array(req.body))
      replyError(res, 503, 'SlowDown')
      return true
    }
  }

  it('succeeds when the first attempt landed after all: read back, same bytes', async () => {
    store.objects.delete(key)
    landThenFail()
    await writable().put('_delta_log/00000000000000000001.json', commit, { ifAbsent: true })
    expect(store.objects.get(key)).toEqual(commit)
    expect(store.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'GET'])
  })

  it('succeeds the same way without a conditional header (HEAD first)', async () => {
    store.objects.delete(key)
    landThenFail()
    await writable('none').put('_delta_log/00000000000000000001.json', commit, { ifAbsent: true })
    expect(store.objects.get(key)).toEqual(commit)
  })

  it('retries a create that did not land', async () => {
    store.objects.delete(key)
    let failed = false
    store.fault = (req, res) => {
      if (req.method !== 'PUT' || failed) return false
      failed = true
      res.socket?.destroy()
      return true
    }
    await writable().put('_delta_log/00000000000000000001.json', commit, { ifAbsent: true })
    expect(store.objects.get(key)).toEqual(commit)
  })

  it("reports FileAlreadyExists when another writer's bytes are there", async () => {
    store.objects.delete(key)
    let failed = false
    store.fault = (req, res) => {
      if (req.method !== 'PUT' || failed) return false
      failed = true
      store.objects.set(key, new TextEncoder().encode('{"commitInfo":{"txnId":"theirs"}}\n'))
      replyError(res, 500, 'InternalError')
      return true
    }
    await expectCode(writable().put('_delta_log/00000000000000000001.json', commit, { ifAbsent: true }), 'FileAlreadyExists')
  })

  it('gives the original failure when the read back fails, so the caller checks for itself', async () => {
    store.objects.delete(key)
    landThenFail()
    const landed = store.fault!
    store.fault = (req, res) => {
      if (req.method === 'GET') {
        replyError(res, 403, 'AccessDenied')
        return true
      }
      return landed(req, res)
    }
    const e = await expectCode(writable().put('_delta_log/00000000000000000001.json', commit, { ifAbsent: true }), 'Unavailable')
    expect(e.message).toMatch(/HTTP 503/)
  })

  it('retries plain puts and deletes', async () => {
    let n = 0
    store.fault = (req, res) => {
      if ((req.method !== 'PUT' && req.method !== 'DELETE') || n++ % 2 === 1) return false
      replyError(res, 503, 'SlowDown')
      return true
    }
    await writable().put('data/x.parquet', commit)
    expect(store.objects.get('b/data/x.parquet')).toEqual(commit)
    await writable().delete('data/x.parquet')
    expect(store.objects.has('b/data/x.parquet')).toBe(false)
  })
})

describe('tables over a flaky server', () => {
  // Objects under /b, and S3 listings of them.
  const signer: Signer = (op, path, so) => {
    if (op !== 'list') return { url: `${store.url}/b/${encodeKey(path)}` }
    const query = new URLSearchParams({ 'list-type': '2', prefix: so.prefix ?? '' })
    if (so.startAfter !== undefined) query.set('start-after', so.startAfter)
    if (so.continuation !== undefined) query.set('continuation-token', so.continuation)
    return { url: `${store.url}/b?${query.toString()}` }
  }
  const writableStorage = (): HttpStorage => new HttpStorage({ signer, listing: 's3', conditionalCreate: 'if-none-match', retry: FAST })

  it('reads a table when every file, commit and listing fails once with 503', async () => {
    store.objects.clear()
    const parquet = await nodeParquetCodec()
    await writeDeltaLake('s3://b', tableFromArrays({ id: BigInt64Array.from([1n, 2n, 3n]) }), { storage: writableStorage(), parquet })
    await writeDeltaLake('s3://b', tableFromArrays({ id: BigInt64Array.from([4n]) }), { storage: writableStorage(), parquet, mode: 'append' })
    const failed = new Set<string>()
    store.fault = (req, res) => {
      const key = `${req.method} ${req.path}?${req.query.toString()}`
      if (failed.has(key)) return false
      failed.add(key)
      replyError(res, 503, 'SlowDown')
      return true
    }
    const table = await DeltaTable.open('s3://b', { storage: writableStorage(), parquet })
    expect(table.version).toBe(1)
    const ids = [...((await table.toArrow()).getChild('id')?.toArray() ?? [])].sort()
    expect(ids).toEqual([1n, 2n, 3n, 4n])
    expect(failed.size).toBeGreaterThanOrEqual(4)
  })

  it('commits once when the answer to a commit that landed is lost: no lost and no doubled commit', async () => {
    store.objects.clear()
    const parquet = await nodeParquetCodec()
    let failed = false
    store.fault = (req, res) => {
      if (req.method !== 'PUT' || failed || !req.path.endsWith('.json') || req.headers['if-none-match'] !== '*') return false
      failed = true
      store.objects.set(decodeURIComponent(req.path).slice(1), new Uint8Array(req.body))
      res.socket?.destroy()
      return true
    }
    const result = await writeDeltaLake('s3://b', tableFromArrays({ id: BigInt64Array.from([1n]) }), { storage: writableStorage(), parquet })
    expect(failed).toBe(true)
    expect(result.version).toBe(0)
    expect([...store.objects.keys()].filter((k) => k.startsWith('b/_delta_log/') && k.endsWith('.json'))).toEqual(['b/_delta_log/00000000000000000000.json'])
  })
})
