// No error of an HTTP storage may carry a credential: a secret is placed in the keys, the SAS,
// the signatures and the headers of every signer, every failure we can provoke is provoked, and
// the secret must appear nowhere in the error (message, stack, every cause, JSON, inspection).
import { createServer } from 'node:http'
import { inspect } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DeltaTable } from '../../src/api/delta-table.js'
import { DeltaError } from '../../src/delta/engine/errors.js'
import { nodeParquetCodec } from '../../src/parquet/node.js'
import { HttpStorage, type HttpBackend, type HttpStorageOptions } from '../../src/storage/http.js'
import { encodeKey } from '../../src/storage/http-signer.js'
import { azureSasSigner } from '../../src/storage/signers/azure.js'
import { gcsSigner } from '../../src/storage/signers/gcs.js'
import { publicHttp } from '../../src/storage/signers/public.js'
import { s3Signer } from '../../src/storage/signers/s3.js'
import { cutAfter, stallAfter, type FaultRequest } from './fault-server.js'
import { startObjectServer, type ObjectServer } from './object-server.js'

const MARK = 'Zq7S3CR3Tk9'

let store: ObjectServer
let closedUrl: string

beforeAll(async () => {
  store = await startObjectServer()
  const probe = createServer()
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done))
  const addr = probe.address() as { port: number }
  closedUrl = `http://127.0.0.1:${addr.port}`
  await new Promise<void>((done) => probe.close(() => done()))
})
afterAll(async () => {
  await store?.close()
})
beforeEach(() => {
  store.fault = undefined
})

/** Every text an error carries, its causes' included, however it is printed or serialised. */
function errorTexts(e: unknown, seen = new Set<unknown>()): string[] {
  if (e === null || e === undefined || seen.has(e)) return []
  seen.add(e)
  const out = [String(e)]
  if (typeof e !== 'object') return out
  out.push(inspect(e, { depth: 12, showHidden: true }))
  try {
    out.push(JSON.stringify(e) ?? '')
  } catch {
    // A cycle: the parts are walked below.
  }
  for (const name of Object.getOwnPropertyNames(e)) {
    const value = (e as Record<string, unknown>)[name]
    if (typeof value === 'string') out.push(value)
    else if (typeof value === 'object') out.push(...errorTexts(value, seen))
  }
  return out
}

function expectClean(e: unknown, what: string): void {
  expect(e, `${what}: expected a DeltaError, got ${String(e)}`).toBeInstanceOf(DeltaError)
  const leaks = errorTexts(e).filter((t) => t.includes(MARK))
  expect(leaks, `${what} leaked the secret`).toEqual([])
  expect(String((e as Error).message), what).not.toMatch(/[?&](sig|X-Amz-Signature|X-Goog-Signature|X-Amz-Credential|X-Amz-Security-Token)=/i)
}

type Backend = (base: string) => HttpBackend

const BACKENDS: [string, Backend][] = [
  ['s3Signer', (base) => s3Signer({
    bucket: 'bucket', region: 'us-east-1', endpoint: base, prefix: 'tbl',
    accessKeyId: `AKIA${MARK}`, secretAccessKey: `sk/${MARK}+x`, sessionToken: `st-${MARK}`,
  })],
  ['azureSasSigner', (base) => azureSasSigner({
    accountUrl: `${base}/acct`, container: 'cont', prefix: 'tbl',
    sas: `sv=2021-08-06&sr=c&sp=racwdl&se=2099-01-01T00%3A00%3A00Z&sig=${MARK}%2Bab%3D`,
  })],
  ['gcsSigner', (base) => gcsSigner({
    bucket: 'bucket', prefix: 'tbl', endpoint: base,
    signUrl: (_op, name) => `${base}/bucket/${encodeKey(name)}?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40p.iam&X-Goog-Signature=${MARK}`,
    list: () => ({ Authorization: `Bearer ${MARK}` }),
  })],
  ['publicHttp with credentials in its URL', (base) => publicHttp(`${base.replace('://', `://reader:${MARK}@`)}/bucket/tbl`, { listing: 's3' })],
  ['a signer that throws with its signed URL', (base) => {
    const inner = s3Signer({ bucket: 'bucket', region: 'us-east-1', endpoint: base, accessKeyId: `AKIA${MARK}`, secretAccessKey: MARK })
    return { ...inner, sign: async (op, path, so) => {
      const { url } = await inner.sign(op, path, so)
      throw new Error(`cannot use ${url}`, { cause: new TypeError(`Invalid URL: ${url}`) })
    } }
  }],
]

// Whatever the server saw, echoed into the answer: a hostile or chatty server.
function echo(req: FaultRequest): string {
  return `${req.method} ${req.path}?${req.query.toString()} auth=${String(req.headers.authorization)} sig=${req.query.toString()}`
}

const FILE = new TextEncoder().encode('0123456789'.repeat(10))

const FAILURES: [string, (base: string) => string, ((req: FaultRequest, res: import('node:http').ServerResponse) => boolean) | undefined][] = [
  ['a mistyped account URL (no scheme)', () => 'htp//127.0.0.1:9/x', undefined],
  ['a mistyped account URL (a space)', () => 'http://bad host:9', undefined],
  ['a URL of another scheme', () => 'ftp://127.0.0.1:9', undefined],
  ['a refused connection', () => closedUrl, undefined],
  ['HTTP 403 echoing the request', (b) => b, (req, res) => (res.writeHead(403).end(`<Error><Code>AccessDenied</Code><Message>${echo(req)}</Message></Error>`), true)],
  ['HTTP 404 echoing the request', (b) => b, (req, res) => (res.writeHead(404).end(`<Error><Code>NoSuchKey</Code><Message>${echo(req)}</Message></Error>`), true)],
  ['HTTP 400 with the secret as its code', (b) => b, (_req, res) => (res.writeHead(400).end(`<Error><Code>${MARK}</Code></Error>`), true)],
  ['HTTP 500 echoing the request', (b) => b, (req, res) => (res.writeHead(500).end(`{"error":{"status":"${echo(req)}","reason":"${MARK}"}}`), true)],
  ['HTTP 416', (b) => b, (_req, res) => (res.writeHead(416).end(), true)],
  ['a cut body', (b) => b, (_req, res) => (cutAfter(res, FILE, 3), true)],
  ['a stalled body', (b) => b, (_req, res) => (stallAfter(res, FILE, 3), true)],
  ['no answer at all', (b) => b, () => true],
  ['a malformed listing echoing the request', (b) => b, (req, res) => (res.writeHead(200).end(`<html>${echo(req)}</html>`), true)],
  ['a truncated listing without a token', (b) => b, (req, res) => (res.writeHead(200).end(`<ListBucketResult><IsTruncated>true</IsTruncated><Prefix>${echo(req)}</Prefix></ListBucketResult>`), true)],
  ['a listing whose fields echo the request', (b) => b, (req, res) => (res.writeHead(200).end(`<ListBucketResult><IsTruncated>${echo(req)}</IsTruncated><Contents><Key>${echo(req)}</Key></Contents></ListBucketResult>`), true)],
  ['a HEAD without Content-Length', (b) => b, (_req, res) => (res.writeHead(200).end(), true)],
  ['a 206 for another range', (b) => b, (req, res) => (res.writeHead(206, { 'Content-Range': `bytes 50-59/100`, 'X-Echo': encodeURIComponent(echo(req)) }).end('0123456789'), true)],
]

const OPS: [string, (s: HttpStorage) => Promise<unknown>][] = [
  ['read', (s) => s.read('_delta_log/00000000000000000000.json')],
  ['ranged read', (s) => s.read('part-0.parquet', { offset: 2, length: 4 })],
  ['head', (s) => s.head('part-0.parquet')],
  ['list', (s) => s.list('_delta_log')],
  ['put', (s) => s.put('part-1.parquet', FILE)],
  ['create', (s) => s.put('_delta_log/00000000000000000009.json', FILE, { ifAbsent: true })],
  ['delete', (s) => s.delete('part-2.parquet')],
]

const options: Partial<HttpStorageOptions> = { stallTimeoutMs: 100, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } }

describe('no error of an HTTP storage holds a secret', () => {
  for (const [backendName, backend] of BACKENDS) {
    describe(backendName, () => {
      for (const [failure, baseOf, fault] of FAILURES) {
        it(`on ${failure}`, async () => {
          store.fault = fault
          const storage = new HttpStorage({ signer: backend(baseOf(store.url)), ...options })
          let errors = 0
          for (const [op, run] of OPS) {
            const e = await run(storage).then(() => undefined, (err: unknown) => err)
            if (e === undefined) continue
            errors++
            expectClean(e, `${backendName}, ${op}, ${failure}`)
          }
          expect(errors).toBeGreaterThan(0)
        })
      }

      it('through a table that cannot be opened', async () => {
        store.fault = (req, res) => (res.writeHead(403).end(`<Error><Code>AccessDenied</Code><Message>${echo(req)}</Message></Error>`), true)
        const storage = new HttpStorage({ signer: backend(store.url), ...options })
        const e = await DeltaTable.open('https://example.test/tbl', { storage, parquet: await nodeParquetCodec() }).then(() => undefined, (err: unknown) => err)
        expectClean(e, `${backendName}, open`)
      })
    })
  }
})
