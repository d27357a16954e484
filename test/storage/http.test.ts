import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeltaError, isDeltaError, type DeltaErrorCode } from '../../src/delta/engine/errors.js'
import { HttpStorage, type FetchLike, type Signer } from '../../src/storage/http.js'
import { publicHttp } from '../../src/storage/signers/public.js'
import { startStaticServer, type RunningServer } from '../helpers/servers.js'
import { runStorageContract } from './http-contract.js'

let folder: string
let listed: RunningServer
let plain: RunningServer

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'http-storage-'))
  // pageSize 2 makes every listing of three or more files take several pages.
  listed = await startStaticServer({ root: folder, listing: true, pageSize: 2 })
  plain = await startStaticServer({ root: folder, latencyMs: 20 })
})
afterAll(async () => {
  await listed?.close()
  await plain?.close()
  if (folder) await rm(folder, { recursive: true, force: true })
})

async function seed(root: string, path: string, data: Uint8Array): Promise<void> {
  const file = join(folder, root, ...path.split('/'))
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, data)
}

async function codeOf(p: Promise<unknown>): Promise<DeltaErrorCode | 'resolved' | 'not a DeltaError'> {
  return p.then(
    () => 'resolved' as const,
    (e: unknown) => (e instanceof DeltaError ? e.code : 'not a DeltaError'),
  )
}

interface Call { url: string; init: RequestInit }

function fakeFetch(answer: (call: Call) => Response | Promise<Response>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = []
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init })
      return answer({ url, init })
    },
  }
}

const signer: Signer = (_op, path) => ({ url: `https://example.test/t/${path}?sig=SECRET` })

describe('HttpStorage over a static server with an S3 listing (publicHttp, listing s3)', () => {
  runStorageContract({ atomicCreate: false, list: true, write: false }, () => ({
    make: (root) => new HttpStorage({ signer: publicHttp(listed.url, { listing: 's3' }), root }),
    seed,
  }))
})

describe('HttpStorage over a static server without listing (publicHttp)', () => {
  runStorageContract({ atomicCreate: false, list: false, write: false }, () => ({
    make: (root) => new HttpStorage({ signer: publicHttp(plain.url), root }),
    seed,
  }))

  it('refuses list, put and delete without sending a request', async () => {
    const storage = new HttpStorage({ signer: publicHttp(plain.url), root: 'ro' })
    const before = plain.requests.length
    expect(await codeOf(storage.list('_delta_log'))).toBe('UnsupportedFeature')
    expect(await codeOf(storage.put('a', new Uint8Array(1)))).toBe('AccessDenied')
    expect(await codeOf(storage.delete('a'))).toBe('AccessDenied')
    expect(plain.requests.length).toBe(before)
  })

  it('sends one request per read, in parallel, and only bytes=a-b ranges', async () => {
    await seed('par', 'f.bin', new Uint8Array(64).fill(3))
    const storage = new HttpStorage({ signer: publicHttp(plain.url), root: 'par' })
    const before = plain.requests.length
    const reads = await Promise.all([0, 16, 32, 48].map((offset) => storage.read('f.bin', { offset, length: 16 })))
    expect(reads.every((r) => r.length === 16 && r.every((b) => b === 3))).toBe(true)
    const seen = plain.requests.slice(before)
    expect(seen.map((r) => r.range).sort()).toEqual(['bytes=0-15', 'bytes=16-31', 'bytes=32-47', 'bytes=48-63'])
  })

  it('never sent a suffix range to either server', () => {
    const ranges = [...plain.requests, ...listed.requests].flatMap((r) => (r.range ? [r.range] : []))
    expect(ranges.length).toBeGreaterThan(0)
    expect(ranges.filter((r) => !/^bytes=\d+-\d+$/.test(r))).toEqual([])
  })
})

describe('HttpStorage request shaping', () => {
  it('gives a bare signer write but no list and no atomic create', () => {
    expect(new HttpStorage({ signer }).capabilities).toEqual({ atomicCreate: false, list: false, write: true })
    const s3ish = new HttpStorage({ signer, listing: 's3', conditionalCreate: 'if-none-match' })
    expect(s3ish.capabilities).toEqual({ atomicCreate: true, list: true, write: true })
  })

  it('joins the root, adds Range and the conditional header, revalidates reads and keeps ranged reads out of the cache', async () => {
    const f = fakeFetch(({ init }) => new Response(init.method === 'PUT' ? null : 'abcd', { status: init.method === 'PUT' ? 201 : new Headers(init.headers).has('Range') ? 206 : 200 }))
    const storage = new HttpStorage({ signer, root: '/tables/t1/', conditionalCreate: 'x-goog-if-generation-match', fetch: f.fetch })
    await storage.read('_delta_log/x.json', { offset: 4, length: 4 })
    await storage.put('_delta_log/y.json', new Uint8Array(2), { ifAbsent: true })
    await storage.read('_delta_log/z.json')
    const [get, put, whole] = f.calls
    expect(get?.url).toBe('https://example.test/t/tables/t1/_delta_log/x.json?sig=SECRET')
    expect(new Headers(get?.init.headers).get('Range')).toBe('bytes=4-7')
    // Chromium lets one request per URL through its cache at a time: ranges of one file go around it.
    expect(get?.init.cache).toBe('no-store')
    expect(whole?.init.cache).toBe('no-cache')
    expect(new Headers(put?.init.headers).get('x-goog-if-generation-match')).toBe('0')
    expect(put?.init.method).toBe('PUT')
  })

  it('keeps headers the signer set itself', async () => {
    const f = fakeFetch(() => new Response('ab', { status: 206 }))
    const own: Signer = () => ({ url: 'https://example.test/x', headers: { Range: 'bytes=0-1' } })
    await new HttpStorage({ signer: own, fetch: f.fetch }).read('x', { offset: 0, length: 2 })
    expect(new Headers(f.calls[0]?.init.headers).get('Range')).toBe('bytes=0-1')
  })

  it('slices the range itself when the server ignores Range', async () => {
    const f = fakeFetch(() => new Response(new Uint8Array([0, 1, 2, 3, 4, 5]), { status: 200 }))
    const storage = new HttpStorage({ signer, fetch: f.fetch })
    expect(await storage.read('x', { offset: 2, length: 3 })).toEqual(new Uint8Array([2, 3, 4]))
  })

  it('approximates ifAbsent with a HEAD first when the backend has no conditional create', async () => {
    const f = fakeFetch(({ init }) => new Response(null, { status: init.method === 'HEAD' ? 200 : 201, headers: { 'Content-Length': '3' } }))
    const storage = new HttpStorage({ signer, fetch: f.fetch })
    expect(await codeOf(storage.put('x', new Uint8Array(1), { ifAbsent: true }))).toBe('FileAlreadyExists')
    expect(f.calls.map((c) => c.init.method)).toEqual(['HEAD'])
  })

  it('lists only direct child files, sorted, whatever order and depth the server answers in', async () => {
    const page = (keys: string[], next?: string): string =>
      `<ListBucketResult><IsTruncated>${next !== undefined}</IsTruncated>${next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''}${keys
        .map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`)
        .join('')}</ListBucketResult>`
    const f = fakeFetch(({ url }) =>
      new Response(url.includes('token=p2')
        ? page(['pre/t/_delta_log/2.json', 'pre/t/_delta_log/sub/deep.json', 'pre/t/_delta_log/'])
        : page(['pre/t/_delta_log/3.json', 'pre/t/_delta_log/0.json', 'pre/t/_delta_log/1.json'], 'p2')),
    )
    const seen: unknown[] = []
    const listing: Signer = (op, path, opts) => {
      seen.push({ op, path, ...opts })
      return { url: `https://example.test/?token=${opts.continuation ?? ''}` }
    }
    const storage = new HttpStorage({ signer: listing, root: 't', listing: 's3', fetch: f.fetch })
    const files = await storage.list('_delta_log', { startAfter: '_delta_log/0.json' })
    expect(files.map((x) => x.path)).toEqual(['_delta_log/1.json', '_delta_log/2.json', '_delta_log/3.json'])
    expect(seen).toEqual([
      { op: 'list', path: 't/_delta_log', prefix: 't/_delta_log/', startAfter: 't/_delta_log/0.json' },
      { op: 'list', path: 't/_delta_log', prefix: 't/_delta_log/', startAfter: 't/_delta_log/0.json', continuation: 'p2' },
    ])
  })

  it('stops a listing whose page token repeats', async () => {
    const loop = '<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>same</NextContinuationToken></ListBucketResult>'
    const storage = new HttpStorage({ signer, listing: 's3', fetch: fakeFetch(() => new Response(loop)).fetch })
    expect(await codeOf(storage.list('_delta_log'))).toBe('InvalidData')
  })

  it('rejects bad ranges before any request', async () => {
    const f = fakeFetch(() => new Response('x'))
    const storage = new HttpStorage({ signer, fetch: f.fetch })
    expect(await codeOf(storage.read('x', { offset: -1, length: 2 }))).toBe('InvalidArgument')
    expect(await codeOf(storage.read('x', { offset: 0.5, length: 2 }))).toBe('InvalidArgument')
    expect(f.calls).toEqual([])
  })
})

describe('HttpStorage error mapping', () => {
  const cases: [string, number, string, 'get' | 'put' | 'putIfAbsent' | 'head', DeltaErrorCode][] = [
    ['404 on read', 404, '<Error><Code>NoSuchKey</Code></Error>', 'get', 'NotFound'],
    ['401 on read', 401, '', 'get', 'AccessDenied'],
    ['403 on read', 403, '<Error><Code>AccessDenied</Code></Error>', 'get', 'AccessDenied'],
    ['403 on head', 403, '', 'head', 'AccessDenied'],
    ['GCS expired signed URL (400 ExpiredToken)', 400, '<Error><Code>ExpiredToken</Code><Message>Invalid argument.</Message></Error>', 'get', 'AccessDenied'],
    ['412 on a conditional put', 412, '<Error><Code>PreconditionFailed</Code></Error>', 'putIfAbsent', 'FileAlreadyExists'],
    ['409 on a conditional put', 409, '<Error><Code>BlobAlreadyExists</Code></Error>', 'putIfAbsent', 'FileAlreadyExists'],
    ['409 on a plain put', 409, '<Error><Code>LeaseIdMissing</Code></Error>', 'put', 'InvalidArgument'],
    ['500 on read', 500, '<Error><Code>InternalError</Code></Error>', 'get', 'Unavailable'],
    ['503 on put', 503, '<Error><Code>SlowDown</Code></Error>', 'put', 'Unavailable'],
  ]
  for (const [name, status, body, op, code] of cases) {
    it(`maps ${name} to ${code} without leaking the URL`, async () => {
      const f = fakeFetch(() => new Response(body, { status }))
      const storage = new HttpStorage({ signer, conditionalCreate: 'if-none-match', fetch: f.fetch })
      const run = op === 'head' ? storage.head('a/b.json') : op === 'get' ? storage.read('a/b.json') : storage.put('a/b.json', new Uint8Array(1), { ifAbsent: op === 'putIfAbsent' })
      const e = await run.then(() => undefined, (err: unknown) => err)
      expect(isDeltaError(e, code), String(e)).toBe(true)
      expect(String(e)).toContain('a/b.json')
      expect(String(e)).not.toContain('SECRET')
    })
  }

  it('treats a missing file as absent on head and a no-op on delete', async () => {
    const storage = new HttpStorage({ signer, fetch: fakeFetch(() => new Response('', { status: 404 })).fetch })
    expect(await storage.head('x')).toBeUndefined()
    await storage.delete('x')
  })

  it('wraps network failures, aborts and signer failures', async () => {
    const down = new HttpStorage({ signer, fetch: () => Promise.reject(new TypeError('fetch failed')) })
    const e = await down.read('x').then(() => undefined, (err: unknown) => err)
    expect(isDeltaError(e, 'Unavailable') && e.message.includes('CORS')).toBe(true)
    const aborted = new HttpStorage({ signer, fetch: () => Promise.reject(new DOMException('stop', 'AbortError')) })
    expect(await codeOf(aborted.read('x'))).toBe('Cancelled')
    const broken = new HttpStorage({ signer: () => { throw new Error('no token') } })
    expect(await codeOf(broken.read('x'))).toBe('Internal')
    const refusing = new HttpStorage({ signer: async () => { throw new DeltaError('AccessDenied', 'logged out') } })
    expect(await codeOf(refusing.read('x'))).toBe('AccessDenied')
  })

  it('needs a Content-Length on HEAD', async () => {
    const storage = new HttpStorage({ signer, fetch: fakeFetch(() => new Response(null, { status: 200 })).fetch })
    expect(await codeOf(storage.head('x'))).toBe('Internal')
  })
})
