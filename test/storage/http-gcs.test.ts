// gcsSigner has no local GCS to run against (no emulator installs here), so this runs the
// storage contract against a small in-memory stand-in written from the GCS docs: V4 signed URLs
// on the XML API, `x-goog-if-generation-match: 0` answered with 412, and the JSON API listing.
import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import { HttpStorage, type FetchLike } from '../../src/storage/http.js'
import { gcsSigner } from '../../src/storage/signers/gcs.js'
import { runStorageContract } from './http-contract.js'

const ORIGIN = 'https://gcs.test'
const TOKEN = 'Bearer test-token'

function fakeGcs(): FetchLike {
  const objects = new Map<string, { data: Uint8Array<ArrayBuffer>; updated: Date }>()
  return async (url, init) => {
    const u = new URL(url)
    const headers = new Headers(init.headers)
    if (u.pathname === '/storage/v1/b/bkt/o') {
      if (headers.get('Authorization') !== TOKEN) return new Response('{"error":{"code":401}}', { status: 401 })
      return listObjects(objects, u.searchParams)
    }
    if (u.searchParams.get('X-Goog-Signature') !== 'ok') return new Response('<Error><Code>SignatureDoesNotMatch</Code></Error>', { status: 403 })
    const name = decodeURIComponent(u.pathname.replace(/^\/bkt\//, ''))
    const found = objects.get(name)
    if (init.method === 'PUT') {
      if (headers.get('x-goog-if-generation-match') === '0' && found) return new Response('<Error><Code>PreconditionFailed</Code></Error>', { status: 412 })
      objects.set(name, { data: new Uint8Array(init.body as Uint8Array), updated: new Date() })
      return new Response(null, { status: 200 })
    }
    if (init.method === 'DELETE') return new Response(null, { status: objects.delete(name) ? 204 : 404 })
    if (!found) return new Response('<Error><Code>NoSuchKey</Code></Error>', { status: 404 })
    const base = { 'Content-Length': String(found.data.length), 'Last-Modified': found.updated.toUTCString() }
    if (init.method === 'HEAD') return new Response(null, { status: 200, headers: base })
    const m = /^bytes=(\d+)-(\d+)$/.exec(headers.get('Range') ?? '')
    if (!m) return new Response(found.data, { status: 200, headers: base })
    const part = found.data.slice(Number(m[1]), Number(m[2]) + 1)
    return new Response(part, { status: part.length ? 206 : 416 })
  }
}

// Pages of two so that the page token is exercised; startOffset is inclusive, as in GCS.
function listObjects(objects: Map<string, { data: Uint8Array<ArrayBuffer>; updated: Date }>, q: URLSearchParams): Response {
  const prefix = q.get('prefix') ?? ''
  const from = [q.get('startOffset') ?? '', q.get('pageToken') ?? ''].reduce((a, b) => (a > b ? a : b))
  const names = [...objects.keys()].filter((n) => n.startsWith(prefix) && !n.slice(prefix.length).includes('/') && n >= from).sort()
  const page = names.slice(0, 2)
  const items = page.map((name) => ({ name, size: String(objects.get(name)?.data.length), updated: objects.get(name)?.updated.toISOString() }))
  const next = names[2]
  return Response.json(next === undefined ? { kind: 'storage#objects', items } : { kind: 'storage#objects', items, nextPageToken: next })
}

function storageOn(fetch: FetchLike, root: string, list: boolean = true): HttpStorage {
  const signer = gcsSigner({
    bucket: 'bkt',
    prefix: 'warehouse',
    signUrl: (_op, objectName) => `${ORIGIN}/bkt/${objectName.split('/').map(encodeURIComponent).join('/')}?X-Goog-Signature=ok`,
    ...(list ? { list: () => ({ Authorization: TOKEN }) } : {}),
  })
  return new HttpStorage({ signer, root, fetch })
}

describe('HttpStorage with gcsSigner (in-memory GCS stand-in)', () => {
  const fetch = fakeGcs()
  runStorageContract({ atomicCreate: true, list: true, write: true }, () => ({ make: (root) => storageOn(fetch, root) }))

  it('has no listing without a list option', () => {
    expect(storageOn(fetch, 'x', false).capabilities).toEqual({ atomicCreate: true, list: false, write: true })
  })

  it('sends the list headers and passes the signer ifAbsent', async () => {
    const seen: { op: string; name: string; ifAbsent: boolean | undefined }[] = []
    const storage = new HttpStorage({
      signer: gcsSigner({
        bucket: 'bkt',
        signUrl: (op, name, opts) => {
          seen.push({ op, name, ifAbsent: opts.ifAbsent })
          return `${ORIGIN}/bkt/${name}?X-Goog-Signature=ok`
        },
        list: () => ({ Authorization: 'Bearer wrong' }),
      }),
      root: 't',
      fetch,
    })
    await storage.put('_delta_log/00000000000000000000.json', new Uint8Array(1), { ifAbsent: true })
    expect(seen).toEqual([{ op: 'put', name: 't/_delta_log/00000000000000000000.json', ifAbsent: true }])
    const e = await storage.list('_delta_log').then(() => undefined, (err: unknown) => err)
    expect(isDeltaError(e, 'AccessDenied')).toBe(true)
  })
})
