import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isDeltaError } from '../../src/delta/engine/errors.js'
import { AwsV4Signer } from 'aws4fetch'
import { HttpStorage, type Signer } from '../../src/storage/http.js'
import { s3Signer, type S3SignerOptions } from '../../src/storage/signers/s3.js'
import { S3RVER_KEY, startS3rver, type RunningServer } from '../helpers/servers.js'
import { runStorageContract } from './http-contract.js'

// s3rver does not enforce If-None-Match (a second conditional PUT overwrites the first), so these
// tests check signing, reads and listings, never that S3 commits are atomic. The contract runs
// with `ifNoneMatch: false`, where the storage honestly reports atomicCreate false.
const BUCKET = 'lake'
let s3: RunningServer

beforeAll(async () => {
  s3 = await startS3rver(BUCKET)
})
afterAll(async () => {
  await s3?.close()
})

function options(extra: Partial<S3SignerOptions> = {}): S3SignerOptions {
  return { bucket: BUCKET, region: 'us-east-1', endpoint: s3.url, ...S3RVER_KEY, prefix: 'tables', ...extra }
}

function storageWith(root: string, extra: Partial<S3SignerOptions> = {}): HttpStorage {
  return new HttpStorage({ signer: s3Signer(options(extra)), root })
}

// A front that answers 403 for every missing key, as S3 does without s3:ListBucket.
async function forbiddingFetch(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init)
  return res.status === 404 ? new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403 }) : res
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => undefined, (e: unknown) => e)
}

describe('HttpStorage on s3rver with SigV4 presigned URLs', () => {
  runStorageContract({ atomicCreate: false, list: true, write: true }, () => ({ make: (root) => storageWith(root, { ifNoneMatch: false }) }))

  it('claims atomic create by default and signs If-None-Match into conditional puts', async () => {
    const storage = storageWith('signed-inm')
    expect(storage.capabilities.atomicCreate).toBe(true)
    const before = s3.requests.length
    await storage.put('_delta_log/00000000000000000000.json', new Uint8Array([1]), { ifAbsent: true })
    const put = s3.requests.slice(before).find((r) => r.method === 'PUT')
    expect(put?.signedHeaders).toContain('if-none-match')
    expect(put?.path).toBe(`/${BUCKET}/tables/signed-inm/_delta_log/00000000000000000000.json`)
  })

  it('reads with bytes=a-b ranges, never suffix ranges', async () => {
    const storage = storageWith('ranges')
    await storage.put('f.parquet', new Uint8Array(100).fill(7))
    const before = s3.requests.length
    expect(await storage.read('f.parquet', { offset: 92, length: 8 })).toEqual(new Uint8Array(8).fill(7))
    expect(s3.requests.slice(before).map((r) => r.range)).toEqual(['bytes=92-99'])
  })

  it('maps a bad signature (wrong secret) to AccessDenied naming the path', async () => {
    const storage = storageWith('bad-sig', { secretAccessKey: 'not-the-secret' })
    const e = await failure(storage.read('_delta_log/00000000000000000000.json'))
    expect(isDeltaError(e, 'AccessDenied'), String(e)).toBe(true)
    expect(String(e)).toContain('_delta_log/00000000000000000000.json')
    expect(String(e)).not.toContain('X-Amz-Signature')
    expect(isDeltaError(await failure(storageWith('bad-sig', { secretAccessKey: 'x' }).list('_delta_log')), 'AccessDenied')).toBe(true)
  })

  it('maps a tampered signature and an unknown key id to AccessDenied', async () => {
    const backend = s3Signer(options())
    const tampered = new HttpStorage({
      signer: { ...backend, sign: async (op, path, opts) => {
        const req = await backend.sign(op, path, opts)
        return { ...req, url: req.url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`) }
      } },
      root: 'tampered',
    })
    expect(isDeltaError(await failure(tampered.head('x.json')), 'AccessDenied')).toBe(true)
    expect(isDeltaError(await failure(storageWith('k', { accessKeyId: 'NOBODY' }).read('x.json')), 'AccessDenied')).toBe(true)
  })

  it('maps an expired presigned URL to AccessDenied, even with missingIs403', async () => {
    // A user-supplied signer that presigns as of an hour ago for 60 s: signed right, but expired.
    const signer: Signer = async (op, path) => {
      const url = `${s3.url}/${BUCKET}/tables/old/${path}`
      const datetime = new Date(Date.now() - 3600_000).toISOString().replace(/[:-]|\.\d{3}/g, '')
      const method = op.toUpperCase()
      const signed = await new AwsV4Signer({ url: `${url}?X-Amz-Expires=60`, method, ...S3RVER_KEY, service: 's3', region: 'us-east-1', signQuery: true, datetime }).sign()
      return { url: signed.url.toString(), method }
    }
    const old = new HttpStorage({ signer, missingIs403: true })
    const e = await failure(old.read('x.json'))
    expect(isDeltaError(e, 'AccessDenied'), String(e)).toBe(true)
    expect(String(e)).toContain('expired')
  })

  it('treats 403 as a missing file only when missingIs403 is set', async () => {
    const backend = s3Signer(options({ missingIs403: true }))
    const forbidding = new HttpStorage({
      signer: backend,
      root: 'm403',
      fetch: forbiddingFetch,
    })
    expect(await forbidding.head('nope.json')).toBeUndefined()
    expect(isDeltaError(await failure(forbidding.read('nope.json')), 'NotFound')).toBe(true)
    const strict = new HttpStorage({ signer: s3Signer(options()), root: 'm403', fetch: forbiddingFetch })
    expect(isDeltaError(await failure(strict.head('nope.json')), 'AccessDenied')).toBe(true)
  })
})
