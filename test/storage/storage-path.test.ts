// The one path rule every storage request passes (checkStoragePath), and the log-path side of
// it (resolveDataPath, dataFileUri, relativeToTable), on generated paths: a seeded generator
// mixes harmless names (spaces, escapes, dots inside names) with every spelling of '.', '..'
// and empty parts, and the rule must refuse exactly those that could step out of a folder.
import { describe, expect, it } from 'vitest'
import { DeltaError } from '../../src/delta/engine/errors.js'
import { checkByteRange, checkStoragePath, storagePathProblem } from '../../src/delta/engine/storage.js'
import { dataFileUri, relativeToTable, resolveDataPath } from '../../src/delta/log/data-path.js'
import { caught } from '../helpers/caught.js'

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Names a table may hold: Hive partition folders with escapes, dots inside names, non-ASCII.
const SAFE = ['part-0.parquet', 'x=A%2FA', 'p=a b', 'p=a%20b', 'p=..', 'p=.', '..a', 'a..', '...', '.hidden', 'é=1', 'x%3D1', '%2F', 'a%2Fb', '_delta_log', 'deletion_vector_1.bin', '%25', '100%']
// Spellings of a step out of the folder, as one segment.
const DOTS = ['.', '..', '%2e', '%2E', '%2e%2e', '%2E%2e', '.%2e', '%252e%252e', '%25252e', '..%2F', '..%2fx', 'x%2F..', '..\\', 'a\\..\\b', '..%5C', '%2e%2e%5cx', 'x%2F%2E%2E%2Fy']

// This test's own reading of the rule: a segment steps out when, once or repeatedly decoded and
// split at '/' and '\', a part is '.' or '..'.
function segmentStepsOut(segment: string): boolean {
  let text = segment
  for (let i = 0; i < 5; i++) {
    if (text.split(/[/\\]/).some((p) => p === '.' || p === '..')) return true
    const decoded = text.replace(/%([0-7][0-9a-f])/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    if (decoded === text) return false
    text = decoded
  }
  return true
}

function generated(seed: number, count: number): string[] {
  const next = random(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(next() * 4)
    const parts = Array.from({ length: n }, () => (next() < 0.25 ? pick(DOTS) : next() < 0.05 ? '' : pick(SAFE)))
    return (next() < 0.05 ? '/' : '') + parts.join('/')
  })
}

describe('checkStoragePath', () => {
  it('refuses exactly the paths that could step out, over 2000 generated paths', () => {
    let refused = 0
    for (const path of generated(13, 2000)) {
      const segments = path.split('/')
      const out = path === '' || segments.some((s) => s === '') || segments.some(segmentStepsOut)
      expect(storagePathProblem(path) !== undefined, path).toBe(out)
      if (out) {
        refused++
        const e = caught(() => checkStoragePath(path))
        expect(e.code).toBe('InvalidArgument')
        expect(e.message).toContain(path)
      } else {
        expect(checkStoragePath(path)).toBe(path)
      }
    }
    expect(refused).toBeGreaterThan(400)
    expect(refused).toBeLessThan(1800)
  })

  it('refuses NUL and non-strings', () => {
    expect(storagePathProblem('a\0b')).toBeDefined()
    expect(storagePathProblem(undefined as unknown as string)).toBeDefined()
  })
})

describe('checkByteRange', () => {
  it('takes two non-negative safe integers whose end is safe, and refuses the rest typed', () => {
    for (const ok of [{ offset: 0, length: 0 }, { offset: 5, length: 10 }, { offset: 2 ** 40, length: 2 ** 40 }]) checkByteRange('f', ok)
    const bad = [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 1e300, 2 ** 53, -0.1]
    for (const x of bad) {
      expect(caught(() => checkByteRange('f', { offset: x, length: 1 })).code).toBe('InvalidArgument')
      expect(caught(() => checkByteRange('f', { offset: 1, length: x })).code).toBe('InvalidArgument')
    }
    expect(caught(() => checkByteRange('f', { offset: Number.MAX_SAFE_INTEGER, length: 1 })).code).toBe('InvalidArgument')
  })
})

describe('paths named by the log', () => {
  const TABLE = 's3://bucket/t'

  it('decodes relative paths once and refuses those that leave the table, as InvalidLog', () => {
    for (const path of generated(29, 1000)) {
      if (path === '' || path.startsWith('/')) continue
      let decoded: string | undefined
      try {
        decoded = decodeURIComponent(path)
      } catch {
        decoded = undefined
      }
      let outcome: string | DeltaError
      try {
        outcome = resolveDataPath(path, TABLE)
      } catch (e) {
        if (!(e instanceof DeltaError)) throw e
        outcome = e
      }
      if (decoded === undefined) {
        expect(outcome, path).toMatchObject({ code: 'InvalidLog' })
      } else if (storagePathProblem(decoded) !== undefined) {
        expect(outcome, path).toMatchObject({ code: 'InvalidLog' })
        expect((outcome as DeltaError).message).toContain(path)
      } else {
        expect(outcome, path).toBe(decoded)
      }
    }
  })

  it('keeps the spellings real tables use', () => {
    expect(resolveDataPath('x=A%252FA/part-0.parquet', TABLE)).toBe('x=A%2FA/part-0.parquet')
    expect(resolveDataPath('p=a%20b/part 1.parquet', TABLE)).toBe('p=a b/part 1.parquet')
    expect(resolveDataPath('p=../part.parquet', TABLE)).toBe('p=../part.parquet')
    expect(resolveDataPath(`${TABLE}/p=a%20b/x.parquet`, TABLE)).toBe('p=a b/x.parquet')
  })

  it('refuses absolute URIs that resolve outside the table, however they are spelled', () => {
    const outside = [
      's3://bucket/other/x.parquet', 's3://other/t/x.parquet', `${TABLE}/../secret/x.parquet`, `${TABLE}/%2e%2e/secret/x.parquet`,
      `${TABLE}/..%2Fsecret/x.parquet`, `${TABLE}/a/%2E%2E/%2E%2E/secret/x.parquet`, `${TABLE}/a//b.parquet`, `${TABLE}`, `${TABLE}/`,
      `${TABLE}x/part.parquet`, 'https://bucket/t/x.parquet',
    ]
    for (const uri of outside) {
      expect(relativeToTable(uri, TABLE), uri).toBeUndefined()
      expect(caught(() => resolveDataPath(uri, TABLE)).code, uri).toBe('UnsupportedFeature')
    }
  })

  it('gives no URI for a relative path that leaves the table', () => {
    for (const p of ['../secret/x.parquet', '%2e%2e/x.parquet', 'a/../../x.parquet', 'a//x.parquet']) {
      expect(caught(() => dataFileUri(p, TABLE, 'label')).code, p).toBe('InvalidLog')
      expect(caught(() => dataFileUri(p, undefined, 'label')).code, p).toBe('InvalidLog')
    }
    expect(dataFileUri('p=a%20b/x.parquet', TABLE, 'label')).toBe('s3://bucket/t/p=a b/x.parquet')
  })
})
