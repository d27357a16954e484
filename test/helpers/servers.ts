// Real local servers for the HTTP storage tests: a static file server of our own, Azurite and
// s3rver. Each binds 127.0.0.1 on a free port; the caller stops it in afterAll.
import { spawn } from 'node:child_process'
import { createHash, createHmac } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'

/** A request a test server saw. */
export interface SeenRequest {
  method: string
  path: string
  range?: string
  /** SigV4 presigned requests: the names in X-Amz-SignedHeaders. */
  signedHeaders?: string[]
  /** Static server: `performance.now()` when the request arrived and when its response finished. */
  receivedAt?: number
  finishedAt?: number
}

/** A running server: its base URL, what it saw, and how to stop it. */
export interface RunningServer {
  url: string
  requests: SeenRequest[]
  close(): Promise<void>
}

function listen(server: Server): Promise<string> {
  return new Promise((done, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address()
      if (addr === null || typeof addr === 'string') return fail(new Error('no TCP address'))
      done(`http://127.0.0.1:${addr.port}`)
    })
  })
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((done) => server.close(() => done()))
}

async function freePort(): Promise<number> {
  const probe = createServer()
  const url = await listen(probe)
  await closeServer(probe)
  return Number(new URL(url).port)
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

// --- Static file server -------------------------------------------------------------------

/** Options of the static server: its folder, an S3 listing at `/?list-type=2`, added latency. */
export interface StaticServerOptions {
  root: string
  listing?: boolean
  latencyMs?: number
  /** Largest listing page; small values exercise continuation tokens. */
  pageSize?: number
}

/** Serve a folder read-only with `bytes=a-b` ranges, CORS, optional S3 ListObjectsV2 and latency. */
export async function startStaticServer(opts: StaticServerOptions): Promise<RunningServer> {
  const root = resolve(opts.root)
  const requests: SeenRequest[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const seen: SeenRequest = { method: req.method ?? '', path: url.pathname, ...(req.headers.range ? { range: req.headers.range } : {}), receivedAt: performance.now() }
    requests.push(seen)
    res.on('finish', () => (seen.finishedAt = performance.now()))
    res.setHeader('Access-Control-Allow-Origin', '*')
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, Last-Modified')
    setTimeout(() => void serveStatic(root, opts, req, url, res).catch(() => reply(res, 500, 'InternalError')), opts.latencyMs ?? 0)
  })
  const url = await listen(server)
  return { url, requests, close: () => closeServer(server) }
}

function reply(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'Content-Type': 'application/xml' }).end(`<Error><Code>${code}</Code></Error>`)
}

async function serveStatic(root: string, opts: StaticServerOptions, req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
  if (req.method === 'OPTIONS') {
    return void res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': 'Range' }).end()
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'MethodNotAllowed')
  if (url.pathname === '/' && url.searchParams.get('list-type') === '2') {
    if (!opts.listing) return reply(res, 400, 'NotImplemented')
    return void res.writeHead(200, { 'Content-Type': 'application/xml' }).end(await listFolder(root, url.searchParams, opts.pageSize ?? 1000))
  }
  const file = resolve(root, ...url.pathname.split('/').filter(Boolean).map(decodeURIComponent))
  const info = file.startsWith(root + sep) ? await stat(file).catch(() => undefined) : undefined
  if (!info?.isFile()) return reply(res, 404, 'NoSuchKey')
  const headers = { 'Accept-Ranges': 'bytes', 'Last-Modified': info.mtime.toUTCString() }
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
  if (!m) {
    res.writeHead(200, { ...headers, 'Content-Length': info.size })
    return void (req.method === 'HEAD' ? res.end() : createReadStream(file).pipe(res))
  }
  const start = Number(m[1])
  const end = Math.min(m[2] ? Number(m[2]) : info.size - 1, info.size - 1)
  if (start >= info.size) return void res.writeHead(416, { 'Content-Range': `bytes */${info.size}` }).end()
  res.writeHead(206, { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${info.size}` })
  return void (req.method === 'HEAD' ? res.end() : createReadStream(file, { start, end }).pipe(res))
}

// ListObjectsV2 over one folder (delimiter `/` only), with start-after and continuation tokens.
async function listFolder(root: string, query: URLSearchParams, pageSize: number): Promise<string> {
  const prefix = query.get('prefix') ?? ''
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1)
  const entries = await readdir(join(root, ...folder.split('/').filter(Boolean)), { withFileTypes: true }).catch(() => [])
  const matching = entries.filter((e) => (folder + e.name).startsWith(prefix))
  const after = [query.get('start-after') ?? '', query.get('continuation-token') ?? ''].reduce((a, b) => (a > b ? a : b))
  const files = matching.filter((e) => e.isFile()).map((e) => folder + e.name).filter((k) => k > after).sort()
  const page = files.slice(0, Math.min(pageSize, Number(query.get('max-keys') ?? 1000)))
  const truncated = page.length < files.length
  const contents = await Promise.all(
    page.map(async (key) => {
      const info = await stat(join(root, ...key.split('/')))
      return `<Contents><Key>${escapeXml(key)}</Key><LastModified>${info.mtime.toISOString()}</LastModified><Size>${info.size}</Size></Contents>`
    }),
  )
  const folders = matching.filter((e) => e.isDirectory()).map((e) => `<CommonPrefixes><Prefix>${escapeXml(folder + e.name)}/</Prefix></CommonPrefixes>`)
  const next = truncated ? `<NextContinuationToken>${escapeXml(page.at(-1) ?? '')}</NextContinuationToken>` : ''
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>${next}${contents.join('')}${folders.join('')}</ListBucketResult>`
}

// --- Azurite ------------------------------------------------------------------------------

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1'
/** The development account's public key. */
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
const SAS_VERSION = '2021-08-06'

/** Start Azurite's blob service in memory; `url` is the account URL (path-style). */
export async function startAzurite(): Promise<RunningServer> {
  const require = createRequire(import.meta.url)
  const pkgPath = require.resolve('azurite/package.json')
  const bin = (JSON.parse(await readFile(pkgPath, 'utf8')) as { bin: Record<string, string> }).bin['azurite-blob']
  const port = await freePort()
  const work = await mkdtemp(join(tmpdir(), 'azurite-'))
  const args = ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--silent']
  const child = spawn(process.execPath, [join(dirname(pkgPath), bin ?? ''), ...args], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const url = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`
  const close = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM')
    await exited
    await rm(work, { recursive: true, force: true })
  }
  try {
    await waitForHttp(url, () => child.exitCode !== null, () => stderr)
  } catch (e) {
    await close()
    throw e
  }
  return { url, requests: [], close }
}

async function waitForHttp(url: string, died: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && !died()) {
    try {
      await fetch(url)
      return
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw new Error(`server at ${url} did not start: ${log()}`)
}

function hmacBase64(key: string, text: string): string {
  return createHmac('sha256', Buffer.from(key, 'base64')).update(text, 'utf8').digest('base64')
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** An account SAS for the dev account (blob service, all resource types), for set-up calls. */
export function azuriteAccountSas(expiry: Date, permissions = 'rwdlac'): string {
  const se = isoSeconds(expiry)
  const toSign = [AZURITE_ACCOUNT, permissions, 'b', 'sco', '', se, '', '', SAS_VERSION, '', ''].join('\n')
  return new URLSearchParams({ sv: SAS_VERSION, ss: 'b', srt: 'sco', sp: permissions, se, sig: hmacBase64(AZURITE_KEY, toSign) }).toString()
}

/** A container SAS (service SAS, `sr=c`) for the dev account, signed with its key. */
export function azuriteContainerSas(container: string, expiry: Date, permissions = 'racwdl'): string {
  const se = isoSeconds(expiry)
  const resource = `/blob/${AZURITE_ACCOUNT}/${container}`
  const toSign = [permissions, '', se, resource, '', '', '', SAS_VERSION, 'c', '', '', '', '', '', '', ''].join('\n')
  return new URLSearchParams({ sv: SAS_VERSION, sr: 'c', sp: permissions, se, sig: hmacBase64(AZURITE_KEY, toSign) }).toString()
}

/** Create a container on Azurite through an account SAS. */
export async function createAzuriteContainer(accountUrl: string, container: string): Promise<void> {
  const sas = azuriteAccountSas(new Date(Date.now() + 3600_000))
  const res = await fetch(`${accountUrl}/${container}?restype=container&${sas}`, { method: 'PUT' })
  if (res.status !== 201) throw new Error(`creating container ${container}: HTTP ${res.status} ${await res.text()}`)
}

/** Allow every origin, method and header on Azurite, so a browser page can reach it. */
export async function allowAzuriteCors(accountUrl: string): Promise<void> {
  const rule = '<CorsRule><AllowedOrigins>*</AllowedOrigins><AllowedMethods>GET,HEAD,PUT,DELETE,OPTIONS</AllowedMethods>' +
    '<AllowedHeaders>*</AllowedHeaders><ExposedHeaders>*</ExposedHeaders><MaxAgeInSeconds>600</MaxAgeInSeconds></CorsRule>'
  const sas = azuriteAccountSas(new Date(Date.now() + 3600_000))
  const body = `<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Cors>${rule}</Cors></StorageServiceProperties>`
  const res = await fetch(`${accountUrl}/?restype=service&comp=properties&${sas}`, { method: 'PUT', body })
  if (res.status !== 202) throw new Error(`setting CORS: HTTP ${res.status} ${await res.text()}`)
}

// --- s3rver behind a SigV4 check ------------------------------------------------------------

/** s3rver's built-in credentials. */
export const S3RVER_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

interface S3rverApp {
  configureBuckets(): Promise<unknown>
  callback(): (req: IncomingMessage, res: ServerResponse) => void
}
type S3rverClass = new (opts: Record<string, unknown>) => S3rverApp

/**
 * Start s3rver with one bucket behind a front that verifies SigV4 presigned signatures: s3rver
 * 3.7 only checks the access key id and expiry of V4 requests, not the signature itself. Note:
 * s3rver also ignores `If-None-Match`, so nothing here shows that S3 commits are atomic.
 */
export async function startS3rver(bucket: string): Promise<RunningServer> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'))
  const app = new S3rver({ silent: true, directory, configureBuckets: [{ name: bucket }] })
  await app.configureBuckets()
  const handle = app.callback()
  const requests: SeenRequest[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const signed = url.searchParams.get('X-Amz-SignedHeaders')
    requests.push({ method: req.method ?? '', path: url.pathname, ...(req.headers.range ? { range: req.headers.range } : {}), ...(signed ? { signedHeaders: signed.split(';') } : {}) })
    if (url.searchParams.has('X-Amz-Signature') && !isValidPresignedV4(req, url)) {
      return void res.writeHead(403, { 'Content-Type': 'application/xml' }).end('<Error><Code>SignatureDoesNotMatch</Code></Error>')
    }
    handle(req, res)
  })
  const base = await listen(server)
  const close = async (): Promise<void> => {
    await closeServer(server)
    await rm(directory, { recursive: true, force: true })
  }
  return { url: base, requests, close }
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

// Our own reading of the SigV4 query-signing spec, independent of aws4fetch.
function isValidPresignedV4(req: IncomingMessage, url: URL): boolean {
  const q = url.searchParams
  const [keyId, date = '', region = '', service = ''] = (q.get('X-Amz-Credential') ?? '').split('/')
  if (keyId !== S3RVER_KEY.accessKeyId) return false
  const signedHeaders = (q.get('X-Amz-SignedHeaders') ?? '').split(';')
  const query = [...q]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([k1, v1], [k2, v2]) => (k1 === k2 ? (v1 < v2 ? -1 : 1) : k1 < k2 ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const path = url.pathname.split('/').map((s) => rfc3986(decodeURIComponent(s))).join('/')
  const headers = signedHeaders.map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('')
  const canonical = [req.method, path, query, headers, signedHeaders.join(';'), 'UNSIGNED-PAYLOAD'].join('\n')
  const scope = [date, region, service, 'aws4_request'].join('/')
  const toSign = ['AWS4-HMAC-SHA256', q.get('X-Amz-Date'), scope, createHash('sha256').update(canonical).digest('hex')].join('\n')
  let key: Buffer = Buffer.from(`AWS4${S3RVER_KEY.secretAccessKey}`)
  for (const part of [date, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest()
  return createHmac('sha256', key).update(toSign).digest('hex') === q.get('X-Amz-Signature')
}
