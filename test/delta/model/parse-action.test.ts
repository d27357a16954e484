import { describe, expect, it } from 'vitest'
import { parseAction, parseCommit, type Action } from '../../../src/delta/model/actions.js'
import { caught } from '../../helpers/caught.js'

const schemaString = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'p', type: 'string', nullable: true, metadata: {} },
  ],
})
const dv = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 1, sizeInBytes: 36, cardinality: 2, maxRowIndex: 9 }

/** One valid action of each kind, every field the protocol defines present. */
const VALID: Record<string, Record<string, unknown>> = {
  add: {
    path: 'p=1/a.parquet', partitionValues: { p: '1' }, size: 10, modificationTime: 1, dataChange: true, stats: '{}',
    tags: { k: 'v' }, deletionVector: dv, baseRowId: 0, defaultRowCommitVersion: 1, clusteringProvider: 'liquid',
  },
  remove: {
    path: 'a.parquet', deletionTimestamp: 2, dataChange: true, extendedFileMetadata: true, partitionValues: { p: null },
    size: 10, stats: '{}', tags: {}, deletionVector: dv, baseRowId: 0, defaultRowCommitVersion: 1,
  },
  metaData: {
    id: 'id', name: 'n', description: 'd', format: { provider: 'parquet', options: {} }, schemaString,
    partitionColumns: ['p'], configuration: { 'delta.appendOnly': 'true' }, createdTime: 1,
  },
  protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] },
  txn: { appId: 'app', version: 3, lastUpdated: 4 },
  commitInfo: { timestamp: 1, operation: 'WRITE', anything: [{ nested: true }], inCommitTimestamp: 5 },
  cdc: { path: '_change_data/c.parquet', partitionValues: {}, size: 5, dataChange: false, tags: {} },
  domainMetadata: { domain: 'd', configuration: '{}', removed: false },
  sidecar: { path: 's.parquet', sizeInBytes: 10, modificationTime: 1, tags: {} },
  checkpointMetadata: { version: 1, tags: {} },
}

/** The fields PROTOCOL.md requires of each action. */
const REQUIRED: Record<string, string[]> = {
  add: ['path', 'partitionValues', 'size', 'modificationTime', 'dataChange'],
  remove: ['path', 'dataChange'],
  metaData: ['id', 'format', 'partitionColumns', 'configuration'],
  protocol: ['minReaderVersion', 'minWriterVersion'],
  txn: ['appId', 'version'],
  cdc: ['path', 'partitionValues', 'size', 'dataChange'],
  domainMetadata: ['domain', 'configuration', 'removed'],
  sidecar: ['path', 'sizeInBytes', 'modificationTime'],
  checkpointMetadata: ['version'],
}

const WRONG_VALUES: unknown[] = ['x', 1.5, -1, 1e300, true, [], {}, [[[[1]]]], { a: 1 }, 'null']

/** Whether `v` has the type the protocol gives `field` of `kind` (so replacing it is no fault). */
function fits(kind: string, field: string, v: unknown): boolean {
  const original = VALID[kind]![field]
  if (typeof original === 'string') return typeof v === 'string' && !(v === '' && ['path', 'domain', 'pathOrInlineDv'].includes(field)) && field !== 'schemaString'
  if (typeof original === 'boolean') return typeof v === 'boolean'
  if (typeof original === 'number') {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return false
    const min = ['minReaderVersion', 'minWriterVersion'].includes(field) ? 1 : ['size', 'sizeInBytes', 'baseRowId', 'defaultRowCommitVersion', 'version', 'cardinality', 'offset', 'maxRowIndex'].includes(field) && !(kind === 'txn') ? 0 : -Infinity
    return v >= min
  }
  if (Array.isArray(original)) return Array.isArray(v) && v.every((x) => typeof x === 'string') && (field !== 'partitionColumns' || v.length === 0)
  // Maps of strings, and struct fields (format, deletionVector).
  if (['format', 'deletionVector'].includes(field)) return false
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => x === null || typeof x === 'string')
}

const line = (kind: string, body: unknown): string => JSON.stringify({ [kind]: body })
const parseLine = (text: string): Action | undefined => parseAction(JSON.parse(text), { file: 'c.json', line: 3 })

describe('the action validator', () => {
  it('reads one valid action of every kind, every field kept', () => {
    for (const [kind, body] of Object.entries(VALID)) {
      const a = parseLine(line(kind, body))
      expect(a?.kind).toBe(kind)
    }
    expect(parseLine(line('add', VALID.add))).toMatchObject({ size: 10, deletionVector: { maxRowIndex: 9 }, clusteringProvider: 'liquid' })
  })

  it('refuses every required field missing, naming the file, line, action and field', () => {
    let n = 0
    for (const [kind, fields] of Object.entries(REQUIRED)) {
      for (const field of fields) {
        const body = { ...VALID[kind] }
        delete body[field]
        const e = caught(() => parseLine(line(kind, body)))
        expect(e.code, `${kind}.${field}`).toBe('InvalidLog')
        expect(e.message).toMatch(new RegExp(`^c\\.json line 3: ${kind}(\\.format)?\\.?${field === 'format' ? '' : field}`))
        n++
      }
    }
    expect(n).toBe(26)
  })

  it('refuses every field of the wrong type, and keeps those whose type fits', () => {
    let refused = 0
    for (const [kind, body] of Object.entries(VALID)) {
      if (kind === 'commitInfo') continue
      for (const field of Object.keys(body)) {
        for (const v of WRONG_VALUES) {
          const text = line(kind, { ...body, [field]: v })
          if (fits(kind, field, v)) {
            expect(parseLine(text)?.kind, `${kind}.${field} = ${JSON.stringify(v)}`).toBe(kind)
          } else {
            expect(caught(() => parseLine(text)).code, `${kind}.${field} = ${JSON.stringify(v)}`).toBe('InvalidLog')
            refused++
          }
        }
      }
    }
    expect(refused).toBeGreaterThan(400)
  })

  it('refuses wrong types inside deletion vectors, maps, lists and format', () => {
    const bad: [string, Record<string, unknown>][] = [
      ['add', { deletionVector: { ...dv, storageType: 'x' } }],
      ['add', { deletionVector: { ...dv, cardinality: '2' } }],
      ['add', { deletionVector: { ...dv, offset: -1 } }],
      ['add', { deletionVector: { ...dv, pathOrInlineDv: '' } }],
      ['add', { deletionVector: { ...dv, sizeInBytes: undefined } }],
      ['remove', { deletionVector: 'u123' }],
      ['add', { partitionValues: { p: 1 } }],
      ['add', { partitionValues: ['1'] }],
      ['add', { tags: { k: false } }],
      ['metaData', { configuration: { 'delta.appendOnly': true } }],
      ['metaData', { configuration: 'a=b' }],
      ['metaData', { format: { options: {} } }],
      ['metaData', { format: { provider: 'parquet', options: { a: 1 } } }],
      ['metaData', { partitionColumns: [1] }],
      ['protocol', { readerFeatures: ['a', 3] }],
      ['protocol', { writerFeatures: 'columnMapping' }],
      ['protocol', { minReaderVersion: 0 }],
      ['commitInfo', { inCommitTimestamp: 'yesterday' }],
    ]
    for (const [kind, change] of bad) {
      expect(caught(() => parseLine(line(kind, { ...VALID[kind], ...change }))).code, `${kind} ${JSON.stringify(change)}`).toBe('InvalidLog')
    }
  })

  it('refuses sizes a double cannot hold exactly, or negative', () => {
    for (const size of [1e300, 2 ** 53, -1, 0.5, Number.MAX_VALUE]) {
      const e = caught(() => parseLine(line('add', { ...VALID.add, size })))
      expect(e.message).toMatch(/add\.size must be a non-negative whole number/)
    }
  })

  it('checks metaData: a schema that parses, partition columns of the schema', () => {
    const meta = (change: Record<string, unknown>): string => line('metaData', { ...VALID.metaData, ...change })
    expect(caught(() => parseLine(meta({ schemaString: 42 }))).message).toMatch(/metaData\.schemaString must be a string/)
    expect(caught(() => parseLine(meta({ schemaString: '{"type":' }))).message).toMatch(/schemaString is not a valid schema/)
    expect(caught(() => parseLine(meta({ schemaString: '{"type":"array","elementType":"long"}' }))).code).toBe('InvalidLog')
    expect(caught(() => parseLine(meta({ partitionColumns: ['q'] }))).message).toMatch(/partitionColumns name 'q', which is not a column/)
    expect(caught(() => parseLine(meta({ partitionColumns: ['p', 'P'] }))).message).toMatch(/twice/)
    const nested = JSON.stringify({ type: 'struct', fields: [{ name: 's', type: { type: 'struct', fields: [] }, nullable: true, metadata: {} }] })
    expect(caught(() => parseLine(meta({ schemaString: nested, partitionColumns: ['s'] }))).message).toMatch(/primitive type/)
    // A missing schemaString reads as a table of no columns, as Spark reads it.
    expect(parseLine(meta({ schemaString: undefined, partitionColumns: [] }))).toMatchObject({ schemaString: '{"type":"struct","fields":[]}' })
    // A type this reader does not know is refused only when the table's schema is read.
    expect(parseLine(meta({ schemaString: JSON.stringify({ type: 'struct', fields: [{ name: 'v', type: 'variant', nullable: true, metadata: {} }] }), partitionColumns: [] }))?.kind).toBe('metaData')
    // delta-rs writes configuration values as optional: null values are dropped.
    expect(parseLine(meta({ configuration: { a: null, b: 'x' } }))).toMatchObject({ configuration: { b: 'x' } })
  })

  it('refuses file paths that step out of the table or hide a part, in adds, removes and cdc alike', () => {
    for (const kind of ['add', 'remove', 'cdc'] as const) {
      for (const path of ['./part-0.parquet', '../x.parquet', '%2e%2e/x.parquet', 'a/..%2F..%2Fx', 'a//b.parquet', 'a/%2E/b.parquet']) {
        const body = { ...(VALID[kind] as Record<string, unknown>), path }
        expect(caught(() => parseLine(line(kind, body))).message, `${kind} ${path}`).toMatch(new RegExp(`c\\.json line 3: ${kind}\\.path must be a path inside the table`))
      }
      for (const path of ['p=a%2Fb/x.parquet', 'x%20y.parquet', 's3://bucket/t/x.parquet', '/abs/x.parquet', 'a..b/c.parquet']) {
        expect((parseLine(line(kind, { ...(VALID[kind] as Record<string, unknown>), path })) as { path: string }).path).toBe(path)
      }
    }
  })

  it('refuses lines that are not one action object', () => {
    for (const text of ['[1]', '"add"', '42', 'null', 'true']) {
      expect(caught(() => parseLine(text)).message, text).toMatch(/c\.json line 3: the line is not a JSON object/)
    }
    const two = JSON.stringify({ add: VALID.add, remove: VALID.remove })
    expect(caught(() => parseLine(two)).message).toMatch(/two actions, 'add' and 'remove'/)
    expect(caught(() => parseLine('{}')).message).toMatch(/c\.json line 3: the line is an empty object/)
    for (const body of [null, [], 'x', 1]) expect(caught(() => parseLine(line('add', body))).message).toMatch(/c\.json line 3: add must be an object/)
  })

  it('ignores fields and actions the protocol does not know, as it asks', () => {
    expect(parseLine(line('add', { ...VALID.add, futureField: { x: [1] } }))).toMatchObject({ kind: 'add', path: 'p=1/a.parquet' })
    expect(parseLine(JSON.stringify({ futureAction: { x: 1 } }))).toBeUndefined()
    expect(parseLine(JSON.stringify({ futureAction: 1, txn: VALID.txn }))).toMatchObject({ kind: 'txn' })
  })

  it('reads the same action whatever the order of its keys', () => {
    const reversed = Object.fromEntries(Object.entries(VALID.add!).reverse())
    expect(parseLine(line('add', reversed))).toEqual(parseLine(line('add', VALID.add)))
  })

  it('names the line of a commit in its errors', () => {
    const text = [line('commitInfo', {}), '', line('protocol', VALID.protocol), line('add', { ...VALID.add, size: 'big' })].join('\n')
    expect(caught(() => parseCommit(text, '_delta_log/00000000000000000004.json')).message)
      .toMatch(/^_delta_log\/00000000000000000004\.json line 4: add\.size must be a non-negative whole number, found "big"/)
  })
})
