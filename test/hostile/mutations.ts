// Seeded hostile inputs: mutations of a table's commit lines, checkpoint and data file bytes,
// deletion vector files and `_last_checkpoint`. Each says what a correct reader may answer.
import type { Random } from './random.js'
import type { SourceTable } from './tables.js'

/**
 * Changes after which a successful read may differ from the intact table, because the protocol
 * permits the mutated log (it describes another valid table) or cannot detect the change.
 * Every other mutation must end in a typed error or the intact answer.
 */
export const ALLOWED_CHANGES = {
  'drop-action': 'a commit without one of its actions is a valid log of another table',
  'optional-field':
    'an optional field removed or nulled (a deletion vector, a remove field, a configuration entry, a table feature, a partition value) is a valid log of another table',
  'valid-value':
    'a value replaced by another of its type (a partition value, a remove path, a file time, a configuration value) is a valid log of another table',
  'parquet-bytes': 'Parquet pages and footers carry no checksum: a flipped or zeroed byte can decode to other valid values',
  'older-listing': 'a listing that omits the newest commits shows an older version of the table, as any reader would',
  'no-schema':
    'a metaData without schemaString reads as a table without columns, as Spark reads the corpus tables written that way (canonicalized-paths-normal-a, versions-not-contiguous)',
} as const

/** A reason a different answer is allowed; a key of ALLOWED_CHANGES. */
export type Allowance = keyof typeof ALLOWED_CHANGES

/**
 * What a correct reader does with the mutated table: `error` (a typed DeltaError; the intact
 * answer is impossible or the input is invalid by protocol), `same` (the mutation is of a hint
 * and the intact answer is required), or `any` (a typed error or the intact answer).
 */
export type Expectation = 'error' | 'same' | 'any'

/** One hostile input: files to replace (bytes) or delete (null) in a copy of a table. */
export interface Mutation {
  table: string
  kind: string
  detail: string
  files: Record<string, Uint8Array | null>
  expect: Expectation
  allow?: Allowance
  /** When set, the table is read over HTTP from a server that answers with this fault. */
  http?: HttpFault
}

/**
 * A misbehaving HTTP server: `times` requests of `target` (listings, log files, data files) get
 * the fault, later ones are served. Listing faults change the listing page itself.
 */
export interface HttpFault {
  kind:
    | 'status'
    | 'short'
    | 'cut'
    | 'stall'
    | 'redirect'
    | 'listing-truncated'
    | 'listing-endless'
    | 'listing-malformed'
    | 'listing-omit'
    | 'listing-outside'
    | 'listing-unsorted'
  target: 'list' | 'log' | 'data' | 'any'
  times: number
  status?: number
  /** The key a listing omits or adds. */
  key?: string
}

const COMMIT = /^_delta_log\/(\d{20})\.json$/
const COMPACTED = /^_delta_log\/\d{20}\.\d{20}\.compacted\.json$/
const CHECKPOINT = /^_delta_log\/(\d{20})\.checkpoint\.(?:[^/]+\.)?(parquet|json)$/
const SIDECAR = /^_delta_log\/_sidecars\/[^/]+\.(parquet|json)$/
const DV = /(^|\/)deletion_vector_[^/]+\.bin$/
const LAST_CHECKPOINT = '_delta_log/_last_checkpoint'

/** Paths a log may name that lead outside the table, spelled the ways an attacker would. */
export const HOSTILE_PATHS = [
  '../secret/part-0.parquet',
  '../../secret/part-0.parquet',
  '%2e%2e/secret/part-0.parquet',
  '..%2Fsecret%2Fpart-0.parquet',
  'a/../../../secret/part-0.parquet',
  'a//b.parquet',
  '/secret/part-0.parquet',
  './part-0.parquet',
  '%2E%2E%2F%2E%2E%2Fsecret',
  'a/%2e/b.parquet',
]

/** The file kinds of a table that mutations target, by path. */
interface TableFiles {
  commits: string[]
  checkpoints: string[]
  data: string[]
  dvs: string[]
  lastCheckpoint: string | undefined
}

function classify(table: SourceTable): TableFiles {
  const out: TableFiles = { commits: [], checkpoints: [], data: [], dvs: [], lastCheckpoint: undefined }
  for (const path of [...table.files.keys()].sort()) {
    if (COMMIT.test(path) || COMPACTED.test(path)) out.commits.push(path)
    else if (CHECKPOINT.test(path) || SIDECAR.test(path)) out.checkpoints.push(path)
    else if (path === LAST_CHECKPOINT) out.lastCheckpoint = path
    else if (DV.test(path)) out.dvs.push(path)
    else if (path.endsWith('.parquet') && !path.startsWith('_delta_log/')) out.data.push(path)
  }
  return out
}

/** `count` seeded mutations of `table`, spread over its kinds of files. */
export function mutateTable(table: SourceTable, rng: Random, count: number): Mutation[] {
  const files = classify(table)
  const facts = tableFacts(table, files)
  const makers: [number, () => Mutation][] = []
  if (files.commits.length) makers.push([45, () => mutateCommit(table, facts, rng.pick(files.commits), rng)])
  if (files.checkpoints.length) makers.push([20, () => mutateCheckpoint(table, facts, rng.pick(files.checkpoints), rng)])
  if (files.data.length) makers.push([15, () => mutateParquetFile(table, rng.pick(files.data), rng, 'data')])
  if (files.dvs.length) makers.push([12, () => mutateDv(table, rng.pick(files.dvs), rng)])
  if (files.lastCheckpoint) makers.push([8, () => mutateLastCheckpoint(table, files.lastCheckpoint!, rng)])
  const total = makers.reduce((s, [w]) => s + w, 0)
  const out: Mutation[] = []
  for (let i = 0; i < count; i++) {
    let roll = rng.next() * total
    const maker = makers.find(([w]) => (roll -= w) < 0) ?? makers[makers.length - 1]!
    out.push(maker[1]())
  }
  return out
}

/** What decides whether a mutated commit is read at all. */
interface TableFacts {
  /** Commits the latest snapshot replays (after its checkpoint), when that is certain. */
  liveCommits: Set<string>
  /** The newest live commit holding a metaData action. */
  metadataCommit: string | undefined
}

function tableFacts(table: SourceTable, files: TableFiles): TableFacts {
  const liveCommits = new Set<string>()
  if (!table.hasCompactedLogs) {
    for (const path of files.commits) {
      const version = Number(COMMIT.exec(path)?.[1] ?? -1)
      if (version > (table.checkpointVersion ?? -1)) liveCommits.add(path)
    }
  }
  let metadataCommit: string | undefined
  for (const path of files.commits) {
    if (liveCommits.has(path) && text(table.files.get(path)!).includes('{"metaData"')) metadataCommit = path
  }
  return { liveCommits, metadataCommit }
}

// --- JSON log files (commits, compacted logs, JSON checkpoints and sidecars) ----------------

const encoder = new TextEncoder()
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

/** Leaves whose removal or nulling leaves a valid log of another table. */
const OPTIONAL_FIELDS = [
  /^add\.(deletionVector|partitionValues\b|tags|stats|baseRowId|defaultRowCommitVersion|clusteringProvider)/,
  /^remove\.(?!path$)/,
  /^metaData\.(configuration\b|name|description|createdTime|partitionColumns\.)/,
  /^protocol\.(reader|writer)Features/,
  /^(txn|domainMetadata|commitInfo|cdc|checkpointMetadata)\./,
]

/** Leaves that may take another value of their type and still make a valid log. */
const VALID_VALUES = [
  /^add\.(partitionValues\b|modificationTime|dataChange|tags\b)/,
  /^remove\./,
  /^metaData\.(name|description|createdTime|id|configuration\b|partitionColumns\.)/,
  /^(txn|domainMetadata|commitInfo|cdc|checkpointMetadata)\./,
]

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function mutateCommit(table: SourceTable, facts: TableFacts, path: string, rng: Random): Mutation {
  return mutateJsonLines(table, path, rng, facts.liveCommits.has(path), facts.metadataCommit === path)
}

/** One mutation of one line of a newline-delimited JSON log file. */
function mutateJsonLines(table: SourceTable, path: string, rng: Random, live: boolean, winningMetadata: boolean): Mutation {
  const lines = text(table.files.get(path)!).split('\n')
  const candidates = lines.flatMap((l, i) => (l.trim() ? [i] : []))
  if (candidates.length === 0) return replaceFile(table, path, 'json/empty', 'an empty log file', encoder.encode('{]\n'), 'any')
  const index = rng.pick(candidates)
  const line = lines[index]!
  const action = JSON.parse(line) as Record<string, Json>
  const key = Object.keys(action)[0]!
  const at = `${path} line ${index + 1} (${key})`
  const withLine = (replacement: string | string[], kind: string, detail: string, expect: Expectation, allow?: Allowance): Mutation => {
    const next = [...lines]
    next.splice(index, 1, ...(Array.isArray(replacement) ? replacement : [replacement]))
    return replaceFile(table, path, kind, `${at}: ${detail}`, encoder.encode(next.join('\n')), expect, allow)
  }
  const strict = live ? 'error' : 'any'
  const op = rng.int(14)
  switch (op) {
    case 0:
      return withLine([], 'json/drop-line', 'line dropped', 'any', 'drop-action')
    case 1:
      return withLine([line, line], 'json/duplicate-line', 'line repeated', key === 'metaData' || key === 'protocol' ? strict : 'any')
    case 2:
      return withLine(line.slice(0, 1 + rng.int(line.length - 2)), 'json/truncate-line', 'line cut short', strict)
    case 3: {
      const bytes = table.files.get(path)!
      const offset = lineOffset(lines, index) + 1 + rng.int(line.length - 1)
      const bad = new Uint8Array(bytes.length + 1)
      bad.set(bytes.subarray(0, offset))
      bad[offset] = rng.pick([0xff, 0xc3, 0x80, 0xed])
      bad.set(bytes.subarray(offset), offset + 1)
      return replaceFile(table, path, 'json/invalid-utf8', `${at}: a byte that is not UTF-8 at ${offset}`, bad, strict)
    }
    case 4: {
      const replacement = rng.pick(['[]', '42', '"add"', 'null', 'true', '{}', '{"add":{}'])
      return withLine(replacement, 'json/not-an-action', `line replaced by ${replacement}`, strict)
    }
    case 5: {
      const other = rng.pick(['commitInfo', 'txn', 'remove', 'add', 'metaData'].filter((k) => k !== key))
      return withLine(JSON.stringify({ ...action, [other]: action[key] }), 'json/two-actions', `a second action key ${other}`, strict)
    }
    case 6:
    case 7:
      return mutateLeaf(action, key, rng, (json, kind, detail, expect, allow) => withLine(json, kind, detail, expect, allow))
    case 8:
      if (key === 'metaData' && winningMetadata) return mutateSchema(action, rng, (json, kind, detail) => withLine(json, kind, detail, 'error'))
      return withLine([], 'json/drop-line', 'line dropped', 'any', 'drop-action')
    case 9: {
      const target = pathField(action, key)
      if (!target) return withLine([line, line], 'json/duplicate-line', 'line repeated', key === 'metaData' || key === 'protocol' ? strict : 'any')
      const hostile = rng.pick(HOSTILE_PATHS)
      target.holder[target.field] = hostile
      // An absolute path is a valid path for a remove (of a file the table does not hold).
      const allow = key === 'remove' && target.field === 'path' && hostile.startsWith('/') ? 'valid-value' : undefined
      return withLine(JSON.stringify(action), 'json/hostile-path', `${key} path ${hostile}`, 'any', allow)
    }
    case 10: {
      if (key !== 'add') return withLine(`${line}\n${line}`.split('\n'), 'json/duplicate-line', 'line repeated', key === 'metaData' || key === 'protocol' ? strict : 'any')
      const add = action.add as Record<string, Json>
      const size = Number(add.size)
      add.size = rng.pick([size + 1, size * 2, 1e300, -1, size - 1, 2 ** 53 + 2, 0.5, 0])
      // A size a double cannot hold, or a fraction, is invalid; other wrong sizes must give a
      // typed error or, where the reader can tell the true size, the intact answer.
      const invalid = !Number.isSafeInteger(add.size) || add.size < 0
      return withLine(JSON.stringify(action), 'json/add-size', `add.size ${String(add.size)} for ${size}`, invalid ? strict : 'any')
    }
    case 11:
      return withLine(`${'['.repeat(3000)}${']'.repeat(3000)}`, 'json/deep-nesting', 'a line of 3,000 nested arrays', strict)
    case 12:
      return withLine([line, ''], 'json/blank-line', 'a blank line after it', 'any')
    default: {
      // PROTOCOL.md: readers ignore fields they do not know.
      const body = action[key]
      if (!body || typeof body !== 'object' || Array.isArray(body)) return withLine([], 'json/drop-line', 'line dropped', 'any', 'drop-action')
      return withLine(JSON.stringify({ [key]: { somethingNew: { x: [1, 'y'] }, ...body } }), 'json/unknown-field', 'an unknown field in the action', 'same')
    }
  }
}

function lineOffset(lines: string[], index: number): number {
  let offset = 0
  for (let i = 0; i < index; i++) offset += encoder.encode(lines[i]!).length + 1
  return offset
}

/** The object and field that hold a path another file is read from, if the action has one. */
function pathField(action: Record<string, Json>, key: string): { holder: Record<string, Json>; field: string } | undefined {
  const body = action[key]
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined
  const dv = body.deletionVector
  if (dv && typeof dv === 'object' && !Array.isArray(dv) && dv.storageType === 'p') return { holder: dv, field: 'pathOrInlineDv' }
  if (['add', 'remove', 'cdc', 'sidecar'].includes(key)) return { holder: body, field: 'path' }
  return undefined
}

type Emit = (json: string, kind: string, detail: string, expect: Expectation, allow?: Allowance) => Mutation

/** Delete, retype or revalue one leaf (or member) of an action. */
function mutateLeaf(action: Record<string, Json>, key: string, rng: Random, emit: Emit): Mutation {
  const leaves = collectLeaves(action[key] ?? null, key)
  if (leaves.length === 0) return emit(JSON.stringify({ [key]: 7 }), 'json/retype', `${key} replaced by 7`, 'any')
  const leaf = rng.pick(leaves)
  const { holder, field, name, value } = leaf
  const op = rng.int(3)
  if (op === 0) {
    if (Array.isArray(holder)) holder.splice(Number(field), 1)
    else delete holder[field]
    const allow = name === 'metaData.schemaString' ? 'no-schema' : OPTIONAL_FIELDS.some((r) => r.test(name)) ? 'optional-field' : undefined
    return emit(JSON.stringify(action), 'json/drop-field', `${name} removed`, 'any', allow)
  }
  if (op === 1) {
    const next = rng.pick<Json>([null, 0, -1, 1e300, 'x', true, [], {}, [1, 2], { a: 'b' }])
    set(holder, field, next)
    const allow = next === null && OPTIONAL_FIELDS.some((r) => r.test(name)) ? 'optional-field' : sameType(value, next) && VALID_VALUES.some((r) => r.test(name)) ? 'valid-value' : undefined
    return emit(JSON.stringify(action), 'json/retype', `${name} = ${JSON.stringify(next)}`, 'any', allow)
  }
  const next = revalue(value, rng)
  set(holder, field, next)
  const allow = VALID_VALUES.some((r) => r.test(name)) ? 'valid-value' : undefined
  return emit(JSON.stringify(action), 'json/revalue', `${name} = ${JSON.stringify(next)?.slice(0, 80)}`, 'any', allow)
}

function sameType(a: Json, b: Json): boolean {
  return typeof a === typeof b && Array.isArray(a) === Array.isArray(b) && (a === null) === (b === null)
}

function set(holder: Record<string, Json> | Json[], field: string, value: Json): void {
  if (Array.isArray(holder)) holder[Number(field)] = value
  else holder[field] = value
}

function revalue(value: Json, rng: Random): Json {
  if (typeof value === 'string') return rng.pick(['', 'x', `${value}x`, value.slice(0, Math.max(0, value.length - 1)), 'zz/yy', '\u0000', '-0', 'NaN', '1e999'])
  if (typeof value === 'number') return rng.pick([0, -1, value + 1, value * 2, 2 ** 53, -(2 ** 31), 0.5])
  if (typeof value === 'boolean') return !value
  if (value === null) return rng.pick(['x', 0, false])
  if (Array.isArray(value)) return [...value, ...value]
  return {}
}

interface Leaf {
  holder: Record<string, Json> | Json[]
  field: string
  name: string
  value: Json
}

/** Every member of an action body, with a dotted name (array members by index). */
function collectLeaves(body: Json, prefix: string): Leaf[] {
  const out: Leaf[] = []
  const visit = (holder: Record<string, Json> | Json[], name: string, depth: number): void => {
    const entries: [string, Json][] = Array.isArray(holder) ? holder.map((v, i) => [String(i), v]) : Object.entries(holder)
    for (const [field, value] of entries) {
      const full = `${name}.${field}`
      out.push({ holder, field, name: full, value })
      if (value && typeof value === 'object' && depth < 4) visit(value, full, depth + 1)
    }
  }
  if (body && typeof body === 'object') visit(body, prefix, 0)
  return out
}

/** A schema change the protocol forbids, in the metaData the snapshot uses. */
function mutateSchema(action: Record<string, Json>, rng: Random, emit: (json: string, kind: string, detail: string) => Mutation): Mutation {
  const meta = action.metaData as Record<string, Json>
  const schema = JSON.parse(String(meta.schemaString)) as { fields: { name: string }[] }
  const op = rng.int(4)
  if (op === 0 && schema.fields.length > 0) {
    const first = schema.fields[0]!
    const twin = { ...first, name: rng.chance(0.5) ? first.name : swapCase(first.name) }
    schema.fields.push(twin)
    meta.schemaString = JSON.stringify(schema)
    return emit(JSON.stringify(action), 'schema/duplicate-column', `column ${twin.name} twice`)
  }
  if (op === 1) {
    // Built as text: serialising 2,000 nested objects would overflow this process's own stack.
    const open = '{"type":"struct","fields":[{"name":"n","type":'
    const close = ',"nullable":true,"metadata":{}}]}'
    const deep = `{"name":"deep","type":${open.repeat(2000)}"integer"${close.repeat(2000)},"nullable":true,"metadata":{}}`
    meta.schemaString = JSON.stringify(schema).replace(/\]\}$/, `${schema.fields.length ? ',' : ''}${deep}]}`)
    return emit(JSON.stringify(action), 'schema/too-deep', 'a column nested 2,000 structs deep')
  }
  if (op === 2) {
    meta.partitionColumns = [...((meta.partitionColumns as Json[]) ?? []), 'no_such_column']
    return emit(JSON.stringify(action), 'schema/unknown-partition-column', 'partitionColumns names no column')
  }
  meta.schemaString = rng.pick(['{"type":"struct"}', '{"type":"struct","fields":[{"name":"a"}]}', '[]', 'not json', '{"type":"struct","fields":[{"name":"a","type":"nosuchtype","nullable":true,"metadata":{}}]}'])
  return emit(JSON.stringify(action), 'schema/invalid', `schemaString ${String(meta.schemaString).slice(0, 40)}`)
}

function swapCase(s: string): string {
  const swapped = [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')
  return swapped === s ? `${s.toUpperCase()}` : swapped
}

// --- Binary files ----------------------------------------------------------------------------

function mutateCheckpoint(table: SourceTable, facts: TableFacts, path: string, rng: Random): Mutation {
  if (path.endsWith('.json')) return mutateJsonLines(table, path, rng, false, false)
  return mutateParquetFile(table, path, rng, 'checkpoint')
}

/** Flip, zero, cut, empty or extend the bytes of a Parquet file. */
function mutateParquetFile(table: SourceTable, path: string, rng: Random, label: string): Mutation {
  const bytes = table.files.get(path)!
  const live = label === 'data' && table.liveDataFiles.has(path)
  const op = rng.int(6)
  if (op <= 1) {
    const out = bytes.slice()
    const flips = 1 + rng.int(3)
    const at: number[] = []
    for (let i = 0; i < flips; i++) {
      const offset = rng.int(out.length)
      out[offset] = out[offset]! ^ (1 << rng.int(8))
      at.push(offset)
    }
    return replaceFile(table, path, `${label}/flip`, `${path}: bits flipped at ${at.join(', ')}`, out, 'any', 'parquet-bytes')
  }
  if (op === 2) {
    const out = bytes.slice()
    const start = rng.int(out.length)
    const length = 1 + rng.int(256)
    out.fill(0, start, start + length)
    return replaceFile(table, path, `${label}/zero`, `${path}: ${length} bytes zeroed at ${start}`, out, 'any', 'parquet-bytes')
  }
  if (op === 3) {
    const length = rng.int(bytes.length)
    return replaceFile(table, path, `${label}/truncate`, `${path}: cut to ${length} of ${bytes.length} bytes`, bytes.slice(0, length), live ? 'error' : 'any')
  }
  if (op === 4) {
    const out = bytes.slice()
    const view = new DataView(out.buffer)
    const footer = rng.pick([0, out.length * 2, 0xffffffff, view.getUint32(out.length - 8, true) + 1 + rng.int(100)])
    view.setUint32(out.length - 8, footer >>> 0, true)
    return replaceFile(table, path, `${label}/footer-length`, `${path}: footer length ${footer >>> 0}`, out, live ? 'error' : 'any')
  }
  return replaceFile(table, path, `${label}/empty`, `${path}: emptied`, new Uint8Array(0), live ? 'error' : 'any')
}

/** Deletion vector files carry a CRC: any change to a vector a table uses must be caught. */
function mutateDv(table: SourceTable, path: string, rng: Random): Mutation {
  const bytes = table.files.get(path)!
  const op = rng.int(4)
  if (op <= 1) {
    const out = bytes.slice()
    const offset = rng.int(out.length)
    out[offset] = out[offset]! ^ (1 << rng.int(8))
    return replaceFile(table, path, 'dv/flip', `${path}: a bit flipped at ${offset}`, out, 'any')
  }
  if (op === 2) {
    const length = rng.int(bytes.length)
    return replaceFile(table, path, 'dv/truncate', `${path}: cut to ${length} of ${bytes.length} bytes`, bytes.slice(0, length), 'any')
  }
  const out = bytes.slice()
  const start = rng.int(out.length)
  out.fill(rng.pick([0, 0xff]), start, start + 1 + rng.int(16))
  return replaceFile(table, path, 'dv/overwrite', `${path}: bytes overwritten at ${start}`, out, 'any')
}

/** `_last_checkpoint` is a hint: a wrong size must not change the answer. */
function mutateLastCheckpoint(table: SourceTable, path: string, rng: Random): Mutation {
  const hint = JSON.parse(text(table.files.get(path)!)) as Record<string, Json>
  const op = rng.int(5)
  if (op <= 1 && typeof hint.sizeInBytes === 'number') {
    const size = hint.sizeInBytes
    hint.sizeInBytes = rng.pick([size + 1, size * 10, size - 1, 1, 0, 2 ** 40])
    return replaceFile(table, path, 'last-checkpoint/size', `sizeInBytes ${hint.sizeInBytes} for ${size}`, encoder.encode(JSON.stringify(hint)), 'same')
  }
  if (op === 2) {
    const version = Number(hint.version)
    hint.version = rng.pick([version + 1, version - 1, 0, -1, 1e15, 'x' as Json])
    return replaceFile(table, path, 'last-checkpoint/version', `version ${String(hint.version)} for ${version}`, encoder.encode(JSON.stringify(hint)), 'any')
  }
  if (op === 3) {
    const body = rng.pick(['', '{', 'null', '[]', '{"version":"3"}', '\u00ff\u00fe'])
    return replaceFile(table, path, 'last-checkpoint/malformed', `replaced by ${JSON.stringify(body)}`, encoder.encode(body), 'any')
  }
  const leaves = collectLeaves(hint, 'lastCheckpoint')
  const leaf = rng.pick(leaves)
  set(leaf.holder, leaf.field, rng.pick<Json>([null, 'x', -5, 1.5, {}]))
  return replaceFile(table, path, 'last-checkpoint/retype', `${leaf.name} retyped`, encoder.encode(JSON.stringify(hint)), 'any')
}

function replaceFile(table: SourceTable, path: string, kind: string, detail: string, bytes: Uint8Array, expect: Expectation, allow?: Allowance): Mutation {
  return { table: table.name, kind, detail, files: { [path]: bytes }, expect, ...(allow && { allow }) }
}

// --- HTTP answers ----------------------------------------------------------------------------

const ALWAYS = 1_000_000

/** `count` seeded faults of a server that serves `table` (its keys under `table/`). */
export function httpFaults(table: SourceTable, rng: Random, count: number): Mutation[] {
  const commits = [...table.files.keys()].filter((p) => COMMIT.test(p)).sort()
  const live = commits.filter((p) => Number(COMMIT.exec(p)![1]) > (table.checkpointVersion ?? -1))
  const out: Mutation[] = []
  const add = (fault: HttpFault, expect: Expectation, allow?: Allowance): void => {
    const detail = `${fault.kind}${fault.status ? ` ${fault.status}` : ''} on ${fault.target}${fault.times === 1 ? ' once' : ' always'}${fault.key ? ` (${fault.key})` : ''}`
    out.push({ table: table.name, kind: `http/${fault.kind}`, detail, files: {}, expect, http: fault, ...(allow && { allow }) })
  }
  for (let i = 0; i < count; i++) {
    const target = rng.pick(['log', 'data', 'list'] as const)
    const fileTarget = rng.pick(['log', 'data'] as const)
    switch (rng.int(11)) {
      case 0:
      case 1:
        add({ kind: 'status', status: rng.pick([500, 502, 503, 504, 429]), target, times: 1 }, 'same')
        break
      case 2:
        add({ kind: 'status', status: rng.pick([500, 503, 429, 416, 400, 404, 403]), target, times: ALWAYS }, 'any')
        break
      case 3:
        add({ kind: 'short', target: fileTarget, times: rng.pick([1, ALWAYS]) }, 'any')
        break
      case 4:
        add({ kind: 'cut', target: fileTarget, times: 1 }, 'same')
        break
      case 5:
        add({ kind: 'stall', target, times: rng.pick([1, ALWAYS]) }, 'any')
        break
      case 6:
        add({ kind: 'redirect', target: fileTarget, times: ALWAYS }, 'any')
        break
      case 7:
        add({ kind: rng.pick(['listing-truncated', 'listing-endless'] as const), target: 'list', times: ALWAYS }, 'error')
        break
      case 8:
        add({ kind: rng.pick(['listing-malformed', 'listing-unsorted'] as const), target: 'list', times: ALWAYS }, 'any')
        break
      case 9: {
        const newest = commits.at(-1)
        const middle = live.length > 1 ? live[rng.int(live.length - 1)] : undefined
        if (middle && rng.chance(0.5)) add({ kind: 'listing-omit', target: 'list', times: ALWAYS, key: `table/${middle}` }, 'any')
        else if (newest) add({ kind: 'listing-omit', target: 'list', times: ALWAYS, key: `table/${newest}` }, 'any', 'older-listing')
        break
      }
      default:
        add({ kind: 'listing-outside', target: 'list', times: ALWAYS, key: `table/_delta_log/${rng.pick(['../../secret/part-0.parquet', '..%2F..%2Fsecret', '00000000000000000099.json/../../../secret'])}` }, 'any')
    }
  }
  return out
}
