import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ProtocolAction } from '../../../../src/delta/model/actions.js'
import { isDeltaError } from '../../../../src/delta/engine/errors.js'
import { loadSnapshot } from '../../../../src/delta/log/snapshot.js'
import type { StructType } from '../../../../src/delta/model/schema.js'
import { checkWriteSupported } from '../../../../src/delta/features/writer.js'
import { requiredProtocol } from '../../../../src/delta/write/features/protocol-select.js'
import { featuresUsedBy } from '../../../../src/delta/write/features/table-features-used.js'
import { nodeParquetCodec } from '../../../../src/parquet/node.js'
import { NodeFsStorage } from '../../../../src/storage/node-fs.js'
import { corpusDir, hasCorpus, loadManifest } from '../../../conformance/corpus.js'
import { caught, field, struct } from './helpers.js'

const plain = struct(field('id', 'long'), field('name', 'string'))
const view = (configuration: Record<string, string> = {}, schema: StructType = plain) => ({ schema, configuration, partitionColumns: [] })
const legacy = (r: number, w: number): ProtocolAction => ({ kind: 'protocol', minReaderVersion: r, minWriterVersion: w })

describe('requiredProtocol: legacy versions where enough', () => {
  it('gives (1,2) to a plain table, as Spark and delta-rs create', () => {
    expect(requiredProtocol(view())).toEqual(legacy(1, 2))
  })

  it('raises the writer version per legacy feature', () => {
    expect(requiredProtocol(view({ 'delta.appendOnly': 'true' }))).toEqual(legacy(1, 2))
    expect(requiredProtocol(view({}, struct(field('x', 'integer', { 'delta.invariants': '{"expression":{"expression":"x > 1"}}' }))))).toEqual(legacy(1, 2))
    expect(requiredProtocol(view({ 'delta.constraints.c': 'id > 0' }))).toEqual(legacy(1, 3))
    expect(requiredProtocol(view({ 'delta.enableChangeDataFeed': 'true' }))).toEqual(legacy(1, 4))
    expect(requiredProtocol(view({}, struct(field('a', 'integer'), field('b', 'integer', { 'delta.generationExpression': 'a + 1' }))))).toEqual(legacy(1, 4))
    expect(requiredProtocol(view({ 'delta.columnMapping.mode': 'name' }))).toEqual(legacy(2, 5))
    expect(requiredProtocol(view({}, struct(field('id', 'long', { 'delta.identity.start': 1, 'delta.identity.step': 1 }))))).toEqual(legacy(1, 6))
  })

  it('never goes below the current protocol', () => {
    expect(requiredProtocol(view(), legacy(2, 5))).toEqual(legacy(2, 5))
    expect(requiredProtocol(view({ 'delta.constraints.c': 'id > 0' }), legacy(1, 4))).toEqual(legacy(1, 4))
  })
})

describe('requiredProtocol: table features', () => {
  it('moves to (3,7) for reader features and lists only what is used on a new table', () => {
    expect(requiredProtocol(view({}, struct(field('t', 'timestamp_ntz'))))).toEqual({
      kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['timestampNtz'], writerFeatures: ['timestampNtz'],
    })
    expect(requiredProtocol(view({ 'delta.enableDeletionVectors': 'true', 'delta.appendOnly': 'true' }))).toEqual({
      kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['appendOnly', 'deletionVectors'],
    })
  })

  it('stays on reader 1 for writer-only features and on reader 2 with column mapping', () => {
    expect(requiredProtocol(view({ 'delta.enableInCommitTimestamps': 'true' }))).toEqual({
      kind: 'protocol', minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['inCommitTimestamp'],
    })
    expect(requiredProtocol(view({ 'delta.enableInCommitTimestamps': 'true', 'delta.columnMapping.mode': 'name' }))).toEqual({
      kind: 'protocol', minReaderVersion: 2, minWriterVersion: 7, writerFeatures: ['columnMapping', 'inCommitTimestamp'],
    })
    expect(requiredProtocol(view({ 'delta.enableRowTracking': 'true' })).writerFeatures).toEqual(['rowTracking', 'domainMetadata'])
  })

  it('lists everything a legacy protocol implied when upgrading it', () => {
    const p = requiredProtocol(view({ 'delta.checkpointPolicy': 'v2', 'delta.columnMapping.mode': 'name' }), legacy(2, 5))
    expect(p).toEqual({
      kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['columnMapping', 'v2Checkpoint'],
      writerFeatures: ['appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns', 'columnMapping', 'v2Checkpoint'],
    })
  })

  it('keeps the current lists and their order, adding new features at the end', () => {
    const current: ProtocolAction = { kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors', 'appendOnly'] }
    expect(requiredProtocol(view(), current)).toEqual(current)
    expect(requiredProtocol(view({ 'delta.enableChangeDataFeed': 'true' }, struct(field('t', 'timestamp_ntz'))), current)).toEqual({
      ...current, readerFeatures: ['deletionVectors', 'timestampNtz'], writerFeatures: ['deletionVectors', 'appendOnly', 'changeDataFeed', 'timestampNtz'],
    })
  })

  it('honours explicit version and feature properties', () => {
    expect(requiredProtocol(view({ 'delta.minWriterVersion': '4' }))).toEqual(legacy(1, 4))
    expect(requiredProtocol(view({ 'delta.minWriterVersion': '7' }))).toEqual({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 7, writerFeatures: [] })
    expect(requiredProtocol(view({ 'delta.feature.vacuumProtocolCheck': 'supported' })).readerFeatures).toEqual(['vacuumProtocolCheck'])
  })

  it('treats a preview feature name as supporting the feature', () => {
    const current: ProtocolAction = { kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['typeWidening-preview'], writerFeatures: ['typeWidening-preview'] }
    expect(requiredProtocol(view({ 'delta.enableTypeWidening': 'true' }), current)).toEqual(current)
  })

  it('finds timestamp_ntz and invariants nested anywhere', () => {
    const nested = struct(field('a', { type: 'array', elementType: { type: 'map', keyType: 'string', valueType: 'timestamp_ntz', valueContainsNull: true }, containsNull: true }))
    expect(featuresUsedBy(view({}, nested)).has('timestampNtz')).toBe(true)
  })
})

describe('checkWriteSupported', () => {
  it('accepts legacy versions and supported features', () => {
    for (const w of [1, 2, 3, 4, 5, 6]) expect(() => checkWriteSupported(legacy(w >= 5 ? 2 : 1, w))).not.toThrow()
    expect(() => checkWriteSupported({ kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors', 'v2Checkpoint'], writerFeatures: ['deletionVectors', 'v2Checkpoint', 'inCommitTimestamp', 'identityColumns'] })).not.toThrow()
  })

  it('names every writer feature it cannot write', () => {
    const e = caught(() => checkWriteSupported({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'rowTracking', 'clustering'] }))
    expect(e.code).toBe('UnsupportedFeature')
    expect(e.message).toContain("'rowTracking', 'clustering'")
    expect(e.message).not.toContain('appendOnly')
  })

  it('refuses writer versions above 7 and unreadable tables', () => {
    expect(caught(() => checkWriteSupported(legacy(1, 8))).message).toContain('writer version 8')
    expect(caught(() => checkWriteSupported({ kind: 'protocol', minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['geospatial'], writerFeatures: ['geospatial'] })).message).toContain('geospatial')
  })
})


const corpus = corpusDir()
describe.skipIf(!hasCorpus(corpus))('corpus protocols', () => {
  const refusedWrites = new Set(['table-with-domain-metadata', 'table_with_liquid_clustering', 'crc-full'])

  it('asks nothing more of a table than it already has, and refuses exactly what it cannot write', async () => {
    const parquet = await nodeParquetCodec()
    const upgraded: Record<string, unknown> = {}
    const refused: string[] = []
    let loaded = 0
    for (const entry of loadManifest(corpus)) {
      let snapshot
      try {
        snapshot = await loadSnapshot({ storage: new NodeFsStorage(join(corpus, entry.table)), parquet })
      } catch {
        continue
      }
      loaded++
      const { schema, metadata, protocol } = snapshot
      const required = requiredProtocol({ schema, configuration: metadata.configuration, partitionColumns: metadata.partitionColumns }, protocol)
      if (JSON.stringify(required) !== JSON.stringify(protocol)) upgraded[entry.name] = required
      try {
        checkWriteSupported(protocol, metadata)
      } catch (e) {
        expect(isDeltaError(e, 'UnsupportedFeature')).toBe(true)
        refused.push(entry.name)
      }
    }
    expect(loaded).toBeGreaterThan(80)
    // Identity columns were written into this (1,2) table's schema; writing it needs writer 6.
    expect(upgraded).toEqual({ identity_test_written_by_version_5: legacy(1, 6) })
    expect(new Set(refused)).toEqual(refusedWrites)
  })

  it('refuses the tables it cannot even read, naming why', () => {
    type Entry = { name: string; readerVersion: number; writerVersion: number; readerFeatures: string[]; writerFeatures: string[] }
    const raw = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as Entry[]
    const byName = new Map(raw.map((e) => [e.name, e]))
    const protocolOf = (name: string): ProtocolAction => {
      const e = byName.get(name)!
      return { kind: 'protocol', minReaderVersion: e.readerVersion, minWriterVersion: e.writerVersion, readerFeatures: e.readerFeatures, writerFeatures: e.writerFeatures }
    }
    expect(caught(() => checkWriteSupported(protocolOf('catalog-owned-preview'))).message).toContain('catalogManaged')
    expect(caught(() => checkWriteSupported(protocolOf('table-with-geo'))).message).toContain('geospatial')
    expect(caught(() => checkWriteSupported(protocolOf('simple_table_features'))).message).toContain('reader version 5')
    expect(caught(() => checkWriteSupported(protocolOf('spark-variant-checkpoint'))).message).toContain('variantType-preview')
  })
})
