// Runs a batch of hostile inputs against the built library in its own process, so a crash ends
// only this process and the parent can tell which input caused it. Reads the batch file named
// by argv[2]; prints a JSON line `{"start": id}` before each case and its outcome after it.
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { createServer } from 'node:http'
import { join, relative, sep } from 'node:path'
import { DeltaTable, HttpStorage, MemoryStorage, isDeltaError, publicHttp } from '../../dist/index-node.js'
import { withDeadline } from '../helpers/child-tools.mjs'

const batch = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const tables = new Map()

function loadTable(root) {
  const files = new Map()
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) files.set(relative(root, path).split(sep).join('/'), new Uint8Array(readFileSync(path)))
    }
  }
  walk(root)
  return files
}

/** A canonical text of any value Arrow gives back, so equal tables give equal digests. */
function canonical(value) {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value)
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (value instanceof Date) return `D${value.getTime()}`
  if (ArrayBuffer.isView(value)) return `[${Array.from(value, (v) => canonical(v)).join(',')}]`
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${canonical(k)}:${canonical(v)}`).join(',')}}`
  if (typeof value.toArray === 'function' && typeof value.length === 'number') return `[${Array.from(value.toArray(), (v) => canonical(v)).join(',')}]`
  if (typeof value.toJSON === 'function') value = value.toJSON()
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v)).join(',')}]`
  return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`
}

// --- A fault-injecting S3-style server over the case's files ----------------------------------

const TABLE_PREFIX = 'table/'
const SECRET_KEY = 'secret/part-0.parquet'

function escapeXml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Which fault-target a request is: a listing, a log file, or another (data) file. */
function targetOf(key, isList) {
  if (isList) return 'list'
  return key.startsWith(`${TABLE_PREFIX}_delta_log/`) ? 'log' : 'data'
}

function listXml(files, query, fault, pageNo) {
  const prefix = query.get('prefix') ?? ''
  const after = [query.get('start-after') ?? '', query.get('continuation-token') ?? ''].reduce((a, b) => (a > b ? a : b))
  let keys = [...files.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/') && k > after).sort()
  let truncated = keys.length > 50
  keys = keys.slice(0, 50)
  let next = truncated ? `<NextContinuationToken>${escapeXml(keys.at(-1))}</NextContinuationToken>` : ''
  if (fault?.kind === 'listing-truncated') {
    truncated = true
    next = ''
  } else if (fault?.kind === 'listing-endless') {
    truncated = true
    next = `<NextContinuationToken>tok-${pageNo}-${Math.random()}</NextContinuationToken>`
  } else if (fault?.kind === 'listing-omit') {
    keys = keys.filter((k) => k !== fault.key)
  } else if (fault?.kind === 'listing-outside') {
    keys = [...keys, fault.key].sort()
  } else if (fault?.kind === 'listing-unsorted') {
    keys = keys.reverse()
  } else if (fault?.kind === 'listing-malformed') {
    return '<?xml version="1.0"?><ListBucketResult><Contents><Key>oops'
  }
  const contents = keys.map((k) => `<Contents><Key>${escapeXml(k)}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><Size>${files.get(k)?.length ?? 7}</Size></Contents>`)
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Prefix>${escapeXml(prefix)}</Prefix><IsTruncated>${truncated}</IsTruncated>${next}${contents.join('')}</ListBucketResult>`
}

/** Serve `files` (bucket keys) with one fault; record requests that leave the table prefix. */
async function startFaultServer(files, fault) {
  const outside = []
  let faults = 0
  let pages = 0
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const isList = url.pathname === '/bucket' || url.pathname === '/bucket/'
    let key
    try {
      key = decodeURIComponent(url.pathname.replace(/^\/bucket\//, ''))
    } catch {
      key = url.pathname
    }
    if (isList ? !(url.searchParams.get('prefix') ?? '').startsWith(TABLE_PREFIX) : !key.startsWith(TABLE_PREFIX) || key.split('/').some((s) => s === '..' || s === '.')) {
      outside.push(`${req.method} ${req.url}`)
    }
    const hit = fault && (fault.target === 'any' || fault.target === targetOf(key, isList)) && faults < fault.times
    if (hit && !fault.kind.startsWith('listing-')) {
      faults++
      if (fault.kind === 'stall') return // never answer
      if (fault.kind === 'status') return void res.writeHead(fault.status, { 'Content-Type': 'application/xml' }).end('<Error><Code>Fault</Code></Error>')
      if (fault.kind === 'redirect') return void res.writeHead(302, { Location: `/bucket/${SECRET_KEY}` }).end()
    }
    if (isList) {
      if (hit) faults++
      res.writeHead(200, { 'Content-Type': 'application/xml' })
      return void res.end(listXml(files, url.searchParams, hit ? fault : undefined, pages++))
    }
    const bytes = files.get(key)
    if (!bytes) return void res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>')
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    let start = 0
    let end = bytes.length - 1
    let status = 200
    const headers = { 'Accept-Ranges': 'bytes', 'Last-Modified': new Date(1704067200000).toUTCString() }
    if (m) {
      start = Number(m[1])
      end = Math.min(m[2] ? Number(m[2]) : bytes.length - 1, bytes.length - 1)
      if (start >= bytes.length) return void res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end()
      status = 206
      headers['Content-Range'] = `bytes ${start}-${end}/${bytes.length}`
    }
    let body = bytes.subarray(start, end + 1)
    if (hit && fault.kind === 'short' && req.method !== 'HEAD') {
      body = body.subarray(0, Math.floor(body.length / 2))
      res.writeHead(status, { ...headers, 'Content-Length': body.length })
      return void res.end(body)
    }
    res.writeHead(status, { ...headers, 'Content-Length': body.length })
    if (req.method === 'HEAD') return void res.end()
    if (hit && fault.kind === 'cut') {
      res.write(body.subarray(0, Math.floor(body.length / 2)))
      return void setTimeout(() => res.destroy(), 5)
    }
    res.end(body)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    outside,
    close: () => {
      server.closeAllConnections()
      server.close()
    },
  }
}

async function answer(storage) {
  const table = await DeltaTable.open('memory://hostile', { storage })
  const data = await table.toArrow()
  const schema = data.schema.fields.map((f) => `${f.name}:${f.type}`).join(',')
  const rows = data.toArray().map((row) => canonical(row)).sort()
  const digest = createHash('sha256').update(`${schema}\n${rows.join('\n')}`).digest('hex').slice(0, 16)
  return `v${table.version} ${rows.length} rows ${digest}`
}

function describe(error) {
  const text = error instanceof Error ? error.message : String(error)
  return text.length > 300 ? `${text.slice(0, 300)}...` : text
}

async function runCase(c) {
  let files = tables.get(c.table)
  if (!files) tables.set(c.table, (files = loadTable(batch.tables[c.table])))
  const merged = new Map(files)
  for (const [path, base64] of Object.entries(c.files)) {
    if (base64 === null) merged.delete(path)
    else merged.set(path, Buffer.from(base64, 'base64'))
  }
  if (c.http) return runHttpCase(c, merged)
  const storage = new MemoryStorage()
  for (const [path, bytes] of merged) await storage.put(path, bytes)
  return classify(c.id, await settle(answer(storage)))
}

/** Serve the table under a bucket prefix, beside a file the table must never reach. */
async function runHttpCase(c, merged) {
  const keys = new Map()
  for (const [path, bytes] of merged) keys.set(`${TABLE_PREFIX}${path}`, bytes)
  keys.set(SECRET_KEY, merged.values().next().value ?? new Uint8Array(8))
  const server = await startFaultServer(keys, c.http)
  try {
    const storage = new HttpStorage({ signer: publicHttp(`${server.url}/bucket`, { listing: 's3' }), root: 'table', ...batch.httpOptions })
    const result = classify(c.id, await settle(answer(storage)))
    return server.outside.length ? { ...result, outside: server.outside.slice(0, 5) } : result
  } finally {
    server.close()
  }
}

/** What `work` did within the case deadline: `{ value }`, `{ error }` or `'hang'`. */
function settle(work) {
  return withDeadline(work.then((value) => ({ value }), (error) => ({ error })), batch.deadlineMs)
}

function classify(id, result) {
  if (result === 'hang') return { id, outcome: 'hang' }
  if ('value' in result) return { id, outcome: 'ok', answer: result.value }
  const e = result.error
  if (isDeltaError(e) && e.code !== 'Internal') return { id, outcome: 'typed', code: e.code, message: describe(e) }
  return { id, outcome: 'untyped', name: e?.name ?? typeof e, message: describe(e), stack: String(e?.stack ?? '').split('\n').slice(0, 6).join('\n') }
}

for (const c of batch.cases) {
  process.stdout.write(`${JSON.stringify({ start: c.id })}\n`)
  process.stdout.write(`${JSON.stringify(await runCase(c))}\n`)
}
process.exit(0)
