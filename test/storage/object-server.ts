// An in-memory object store over HTTP that answers the way S3, Azure Blob and GCS do, for the
// requests HttpStorage sends with each signer: GET (ranges), HEAD, PUT (conditional), DELETE,
// and listings in the three dialects. Objects are keyed by their decoded URL path (no leading
// slash); a listing at `/a/b?...` lists keys under `a/b/`. A `fault` hook may answer first.
import type { ServerResponse } from 'node:http'
import { replyError, serveBytes, startFaultServer, type FaultRequest, type FaultServer } from './fault-server.js'

/** A running object server. */
export interface ObjectServer {
  url: string
  requests: FaultRequest[]
  /** The stored objects by key, e.g. `bucket/t/_delta_log/00000000000000000000.json`. */
  objects: Map<string, Uint8Array>
  /** Answers a request before the store does when it returns true. */
  fault: ((req: FaultRequest, res: ServerResponse) => boolean) | undefined
  close(): Promise<void>
}

/** Start an object server; `pageSize` bounds each listing page (small values exercise tokens). */
export async function startObjectServer(opts: { pageSize?: number } = {}): Promise<ObjectServer> {
  const objects = new Map<string, Uint8Array>()
  const pageSize = opts.pageSize ?? 1000
  let server: FaultServer | undefined = undefined
  const state: ObjectServer = {
    url: '',
    requests: [],
    objects,
    fault: undefined,
    close: () => server!.close(),
  }
  server = await startFaultServer((req, res) => {
    if (state.fault?.(req, res)) return
    answer(req, res, objects, pageSize)
  })
  state.url = server.url
  state.requests = server.requests
  return state
}

function keyOf(path: string): string {
  return decodeURIComponent(path).replace(/^\/+/, '')
}

function answer(req: FaultRequest, res: ServerResponse, objects: Map<string, Uint8Array>, pageSize: number): void {
  const gcsList = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(req.path)
  if (req.method === 'GET' && gcsList) return listGcs(res, objects, decodeURIComponent(gcsList[1]!), req.query, pageSize)
  if (req.method === 'GET' && req.query.get('list-type') === '2') return listS3(res, objects, keyOf(req.path), req.query, pageSize)
  if (req.method === 'GET' && req.query.get('comp') === 'list') return listAzure(res, objects, keyOf(req.path), req.query, pageSize)
  const key = keyOf(req.path)
  if (req.method === 'PUT') {
    const conditional = req.headers['if-none-match'] === '*' || req.headers['x-goog-if-generation-match'] === '0'
    if (conditional && objects.has(key)) return replyError(res, 412, 'PreconditionFailed')
    objects.set(key, new Uint8Array(req.body))
    return void res.writeHead(201).end()
  }
  if (req.method === 'DELETE') {
    objects.delete(key)
    return void res.writeHead(204).end()
  }
  const bytes = objects.get(key)
  if (!bytes) return replyError(res, 404, 'NoSuchKey')
  serveBytes(req, res, bytes)
}

// The direct children of `base/prefix` (the prefix's folder), names relative to `base`, sorted,
// after `after`, at most `pageSize`; and whether more remain.
function children(objects: Map<string, Uint8Array>, base: string, prefix: string, keep: (name: string) => boolean, pageSize: number): { keys: string[]; more: boolean } {
  const root = base === '' ? '' : `${base}/`
  const all = [...objects.keys()]
    .filter((k) => k.startsWith(root + prefix))
    .map((k) => k.slice(root.length))
    .filter((k) => !k.slice(prefix.length).includes('/') && keep(k))
    .sort()
  return { keys: all.slice(0, pageSize), more: all.length > pageSize }
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function listS3(res: ServerResponse, objects: Map<string, Uint8Array>, base: string, q: URLSearchParams, pageSize: number): void {
  const after = [q.get('start-after') ?? '', q.get('continuation-token') ?? ''].reduce((a, b) => (a > b ? a : b))
  const { keys, more } = children(objects, base, q.get('prefix') ?? '', (k) => k > after, pageSize)
  const contents = keys.map((k) => `<Contents><Key>${xml(k)}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><Size>${objects.get(base === '' ? k : `${base}/${k}`)!.length}</Size></Contents>`)
  const next = more ? `<NextContinuationToken>${xml(keys.at(-1)!)}</NextContinuationToken>` : ''
  res.writeHead(200, { 'Content-Type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><IsTruncated>${more}</IsTruncated>${next}${contents.join('')}</ListBucketResult>`)
}

function listAzure(res: ServerResponse, objects: Map<string, Uint8Array>, base: string, q: URLSearchParams, pageSize: number): void {
  const marker = q.get('marker') ?? ''
  const { keys, more } = children(objects, base, q.get('prefix') ?? '', (k) => k > marker, pageSize)
  const blobs = keys.map((k) => `<Blob><Name>${xml(k)}</Name><Properties><Last-Modified>Mon, 01 Jan 2024 00:00:00 GMT</Last-Modified><Content-Length>${objects.get(`${base}/${k}`)!.length}</Content-Length></Properties></Blob>`)
  const next = more ? `<NextMarker>${xml(keys.at(-1)!)}</NextMarker>` : '<NextMarker/>'
  res.writeHead(200, { 'Content-Type': 'application/xml' }).end(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>${blobs.join('')}</Blobs>${next}</EnumerationResults>`)
}

function listGcs(res: ServerResponse, objects: Map<string, Uint8Array>, bucket: string, q: URLSearchParams, pageSize: number): void {
  // startOffset is inclusive in GCS; the page token is the last name of the previous page.
  const start = q.get('startOffset') ?? ''
  const token = q.get('pageToken') ?? ''
  const { keys, more } = children(objects, bucket, q.get('prefix') ?? '', (k) => k >= start && k > token, pageSize)
  const items = keys.map((k) => ({ name: k, size: String(objects.get(`${bucket}/${k}`)!.length), updated: '2024-01-01T00:00:00.000Z' }))
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(more ? { items, nextPageToken: keys.at(-1) } : { items }))
}
