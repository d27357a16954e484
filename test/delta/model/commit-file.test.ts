import { describe, expect, it } from 'vitest'
import { parseCommit } from '../../../src/delta/model/actions.js'
import { addAction, createActions, removeAction } from '../../helpers/log-builder.js'
import { caught } from '../../helpers/caught.js'

const FILE = '_delta_log/00000000000000000007.json'
const enc = new TextEncoder()
const text = (...objs: object[]): string => objs.map((o) => JSON.stringify(o)).join('\n') + '\n'
const dv = (id: string) => ({ storageType: 'u', pathOrInlineDv: id, offset: 1, sizeInBytes: 10, cardinality: 1 })

describe('parseCommit', () => {
  it('refuses bytes that are not UTF-8, naming the line, wherever they are', () => {
    const lines = [JSON.stringify(addAction('a.parquet')), JSON.stringify(removeAction('b.parquet')), JSON.stringify(addAction('c.parquet'))]
    for (const bad of [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      for (let l = 0; l < lines.length; l++) {
        const bytes = lines.map((s, i) => {
          const b = enc.encode(s)
          if (i !== l) return b
          const at = 12 + l
          return Uint8Array.from([...b.slice(0, at), ...bad, ...b.slice(at)])
        })
        const joined = Uint8Array.from(bytes.flatMap((b) => [...b, 0x0a]))
        const e = caught(() => parseCommit(joined, FILE))
        expect(e.code).toBe('InvalidLog')
        expect(e.message).toMatch(new RegExp(`^_delta_log/00000000000000000007\\.json line ${l + 1}: the file is not valid UTF-8`))
      }
    }
    // Valid UTF-8 beyond ASCII reads as written.
    expect(parseCommit(enc.encode(text(addAction('héllo wörld ✓.parquet'))), FILE)[0]).toMatchObject({ path: 'héllo wörld ✓.parquet' })
  })

  it('refuses two metaData or two protocol actions in one version', () => {
    const [, protocol, metaData] = createActions()
    expect(caught(() => parseCommit(text(metaData!, addAction('a'), metaData!), FILE)).message).toMatch(/line 3: two metaData actions \(lines 1 and 3\)/)
    expect(caught(() => parseCommit(text(protocol!, protocol!), FILE)).message).toMatch(/line 2: two protocol actions/)
  })

  it('refuses a file added or removed twice, or added and removed with one deletion vector', () => {
    expect(caught(() => parseCommit(text(addAction('a'), addAction('b'), addAction('a')), FILE)).message).toMatch(/line 3: the file 'a' has two add actions \(lines 1 and 3\)/)
    expect(caught(() => parseCommit(text(removeAction('a'), removeAction('a')), FILE)).message).toMatch(/two remove actions/)
    // One path twice among the adds, even with different deletion vectors (PROTOCOL.md).
    expect(caught(() => parseCommit(text(addAction('a', { deletionVector: dv('x') }), addAction('a')), FILE)).code).toBe('InvalidLog')
    expect(caught(() => parseCommit(text(addAction('a'), removeAction('a')), FILE)).message).toMatch(/both added and removed with the same deletion vector/)
    // Spellings of one path are one file.
    expect(caught(() => parseCommit(text(addAction('a-b'), addAction('a%2Db')), FILE)).code).toBe('InvalidLog')
    // A DV update is an add and a remove of one path with different deletion vectors.
    expect(parseCommit(text(addAction('a', { deletionVector: dv('new') }), removeAction('a', { deletionVector: dv('old') })), FILE)).toHaveLength(2)
    expect(parseCommit(text(removeAction('a'), addAction('a', { deletionVector: dv('new') })), FILE)).toHaveLength(2)
  })

  it('refuses two txn for one application or two domainMetadata for one domain', () => {
    const txn = { txn: { appId: 'app', version: 1 } }
    expect(caught(() => parseCommit(text(txn, { txn: { appId: 'other', version: 1 } }, txn), FILE)).message).toMatch(/two txn actions for application 'app'/)
    const dm = { domainMetadata: { domain: 'd', configuration: '{}', removed: false } }
    expect(caught(() => parseCommit(text(dm, dm), FILE)).message).toMatch(/two domainMetadata actions for domain 'd'/)
  })

  it('refuses checkpoint-only actions in a commit, and reads them in a JSON checkpoint', () => {
    const sidecar = { sidecar: { path: 's.parquet', sizeInBytes: 1, modificationTime: 1 } }
    expect(caught(() => parseCommit(text(sidecar), FILE)).message).toMatch(/only v2 checkpoints may hold/)
    expect(parseCommit(text({ checkpointMetadata: { version: 7 } }, sidecar), FILE, { checkpoint: true })).toHaveLength(2)
  })

  it('refuses a line that is not JSON, such as a truncated one', () => {
    const full = JSON.stringify(addAction('a.parquet'))
    for (let cut = 1; cut < full.length; cut += 7) {
      const e = caught(() => parseCommit(`${JSON.stringify({ commitInfo: {} })}\n${full.slice(0, cut)}\n`, FILE))
      expect(e.message).toMatch(/line 2: the line is not valid JSON/)
    }
  })

  it('skips lines of whitespace and reads CRLF line ends, as other readers do', () => {
    const actions = parseCommit(`\n${JSON.stringify(addAction('a'))}\r\n   \n\t\n${JSON.stringify(addAction('b'))}`, FILE)
    expect(actions.map((a) => a.kind === 'add' && a.path)).toEqual(['a', 'b'])
  })
})
