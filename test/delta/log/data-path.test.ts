// Paths of data files named in the log: relative ones, and the absolute forms writers use for a
// file under the table root (Spark and Hadoop write `file:/...`, others `file://localhost/...`).
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DeltaError } from '../../../src/delta/engine/errors.js'
import { dataFileUri, relativeToTable, resolveDataPath, URI_SCHEME } from '../../../src/delta/log/data-path.js'

// A table folder whose names need escaping: a space, and a '%' that is part of the folder name.
const TABLE_DIR = '/data/my dir/t%x'
const TABLE_URI = 'file:///data/my%20dir/t%25x'
// The partition folder `p=x%2Fy` on disk (a value 'x/y' escaped by the writer), logged encoded once more.
const LOGGED = 'p=x%252Fy/q=a%20b/part-0.parquet'
const STORED = 'p=x%2Fy/q=a b/part-0.parquet'

/** The three spellings of one absolute file URI. */
const FORMS = {
  'file:/ (Spark, Hadoop)': `file:/data/my%20dir/t%25x/${LOGGED}`,
  'file://localhost/': `file://localhost/data/my%20dir/t%25x/${LOGGED}`,
  'file:///': `file:///data/my%20dir/t%25x/${LOGGED}`,
}

function errorOf(f: () => unknown): DeltaError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(DeltaError)
    return e as DeltaError
  }
  throw new Error('expected a DeltaError')
}

describe('URI_SCHEME', () => {
  it('tells URIs from paths, Windows drive letters included', () => {
    for (const uri of ['s3://b/t', 'file:/tmp/t', 'file:///tmp/t', 'abfss://c@a.dfs.core.windows.net/t', 'memory://t']) expect(URI_SCHEME.test(uri), uri).toBe(true)
    for (const path of ['part-0.parquet', 'p=a:b/part-0.parquet', '/tmp/t', 'C:\\data\\t', 'C:/data/t', './a:b']) expect(URI_SCHEME.test(path), path).toBe(false)
  })
})

describe('relativeToTable', () => {
  it.each(Object.entries(FORMS))('takes %s under a file: table root to its storage path', (_, uri) => {
    expect(relativeToTable(uri, TABLE_URI)).toBe(STORED)
    // The table URI may be written any of the three ways as well.
    expect(relativeToTable(uri, 'file:/data/my%20dir/t%25x/')).toBe(STORED)
    expect(relativeToTable(uri, 'file://localhost/data/my%20dir/t%25x')).toBe(STORED)
  })

  it('compares decoded paths, so an unescaped space matches %20', () => {
    expect(relativeToTable('file:/data/my dir/t%25x/a.parquet', TABLE_URI)).toBe('a.parquet')
    expect(relativeToTable('s3://bucket/my%20t/p=a%20b/x.parquet', 's3://bucket/my t')).toBe('p=a b/x.parquet')
  })

  it('is undefined outside the root, on another host or scheme, and without a table URI', () => {
    for (const uri of [
      'file:/data/my%20dir/other/a.parquet',
      'file:/data/my%20dir/t%25x-2/a.parquet',
      'file:/data/my%20dir/t%25x',
      'file://server/data/my%20dir/t%25x/a.parquet',
      's3://data/my%20dir/t%25x/a.parquet',
    ]) expect(relativeToTable(uri, TABLE_URI), uri).toBeUndefined()
    expect(relativeToTable('s3://other/t/a.parquet', 's3://bucket/t')).toBeUndefined()
    expect(relativeToTable(FORMS['file:///'], undefined)).toBeUndefined()
    expect(relativeToTable(FORMS['file:///'], 'fixture')).toBeUndefined()
  })

  it('fails with InvalidLog on a path that is not valid URI encoding', () => {
    expect(errorOf(() => relativeToTable('file:/data/my%20dir/t%25x/bad%zz.parquet', TABLE_URI)).code).toBe('InvalidLog')
  })
})

describe('resolveDataPath', () => {
  it('decodes relative paths once', () => {
    expect(resolveDataPath(LOGGED)).toBe(STORED)
    expect(resolveDataPath(LOGGED, TABLE_URI)).toBe(STORED)
  })

  it.each(Object.entries(FORMS))('resolves %s under the table root', (_, uri) => {
    expect(resolveDataPath(uri, TABLE_URI)).toBe(STORED)
  })

  it('refuses absolute paths outside the table with UnsupportedFeature naming them', () => {
    for (const uri of ['file:/data/my%20dir/elsewhere/part-0.parquet', 'file://localhost/data/other/part-0.parquet', 's3://bucket/t/part-0.parquet']) {
      const e = errorOf(() => resolveDataPath(uri, TABLE_URI))
      expect(e.code).toBe('UnsupportedFeature')
      expect(e.message).toContain(uri)
    }
    expect(errorOf(() => resolveDataPath(FORMS['file:/ (Spark, Hadoop)'])).code).toBe('UnsupportedFeature')
  })
})

describe('dataFileUri', () => {
  it.each([['relative', LOGGED], ...Object.entries(FORMS)])('gives a %s path of a file: table as the file URI of its real path', (_, logPath) => {
    const uri = dataFileUri(logPath, TABLE_URI, 'label')
    expect(new URL(uri).href).toBe(uri)
    expect(fileURLToPath(uri)).toBe(join(TABLE_DIR, ...STORED.split('/')))
    expect(uri).toBe(pathToFileURL(join(TABLE_DIR, ...STORED.split('/'))).href)
  })

  it('encodes what a file URL reads as syntax', () => {
    for (const name of ['a#b.parquet', 'a?b.parquet', 'a%b.parquet', 'é [1] ~^|{}.parquet']) {
      const uri = dataFileUri(encodeURIComponent(name), TABLE_URI, 'label')
      expect(fileURLToPath(uri), name).toBe(join(TABLE_DIR, name))
      expect(uri, name).toBe(pathToFileURL(join(TABLE_DIR, name)).href)
    }
  })

  it('joins the table URI and the storage path for other schemes', () => {
    expect(dataFileUri(LOGGED, 's3://bucket/t/', 'label')).toBe(`s3://bucket/t/${STORED}`)
    expect(dataFileUri(`s3://bucket/t/${LOGGED}`, 's3://bucket/t', 'label')).toBe(`s3://bucket/t/${STORED}`)
    expect(dataFileUri('p=a/part-0.parquet', 'memory://t', 'label')).toBe('memory://t/p=a/part-0.parquet')
    expect(() => new URL(dataFileUri(LOGGED, 's3://bucket/t', 'label'))).not.toThrow()
  })

  it('gives files outside the table as the log names them, and a label path without a table URI', () => {
    expect(dataFileUri('file:/elsewhere/a%20b.parquet', TABLE_URI, 'label')).toBe('file:///elsewhere/a%20b.parquet')
    expect(dataFileUri('s3://other/a%20b.parquet', 's3://bucket/t', 'label')).toBe('s3://other/a b.parquet')
    expect(dataFileUri(LOGGED, undefined, 'table')).toBe(`table/${STORED}`)
    expect(dataFileUri(LOGGED, undefined, '')).toBe(STORED)
  })
})
