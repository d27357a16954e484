// The table URI a worker opens a table under, from its storage descriptor.
import { describe, expect, it } from 'vitest'
import { MemoryStorage } from '../../src/storage/memory.js'
import { objectStorageDescriptor, publicHttpStorageDescriptor } from '../../src/worker/descriptors.js'
import { tableUriOf } from '../../src/worker/resolve-storage.js'

describe('tableUriOf', () => {
  const folderUri = (dir: string) => `file://${dir.split('/').map(encodeURIComponent).join('/')}`

  it('takes the descriptor uri first', () => {
    expect(tableUriOf(objectStorageDescriptor(new MemoryStorage(), 't', { uri: 's3://bucket/t' }))).toBe('s3://bucket/t')
    expect(tableUriOf({ kind: 'node-fs', dir: '/data', uri: 'file:///elsewhere' }, folderUri)).toBe('file:///elsewhere')
  })

  it('joins a public base URL and the encoded root', () => {
    expect(tableUriOf(publicHttpStorageDescriptor('https://host/bucket/'))).toBe('https://host/bucket')
    expect(tableUriOf(publicHttpStorageDescriptor('https://host/bucket', { root: '/tables/my t/' }))).toBe('https://host/bucket/tables/my%20t')
  })

  it('asks the host for the file: URI of a local folder and its root', () => {
    expect(tableUriOf({ kind: 'node-fs', dir: '/data/my dir' }, folderUri)).toBe('file:///data/my%20dir')
    expect(tableUriOf({ kind: 'node-fs', dir: '/data', root: 't 1' }, folderUri)).toBe('file:///data/t%201')
    expect(tableUriOf({ kind: 'node-fs', dir: '/data' })).toBeUndefined()
  })

  it('has none for storages known only by a label', () => {
    expect(tableUriOf(objectStorageDescriptor(new MemoryStorage(), 't'))).toBeUndefined()
  })
})
