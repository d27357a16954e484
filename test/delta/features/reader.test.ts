import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import { checkReadSupported, SUPPORTED_READER_FEATURES } from '../../../src/delta/features/reader.js'
import type { MetadataAction, ProtocolAction } from '../../../src/delta/model/actions.js'

const protocol = (r: number, readerFeatures?: string[]): ProtocolAction =>
  ({ kind: 'protocol', minReaderVersion: r, minWriterVersion: 7, ...(readerFeatures ? { readerFeatures, writerFeatures: readerFeatures } : {}) })

function refusal(f: () => void): string {
  try {
    f()
  } catch (e) {
    expect(isDeltaError(e, 'UnsupportedFeature')).toBe(true)
    return (e as Error).message
  }
  throw new Error('expected a refusal')
}

describe('checkReadSupported', () => {
  it('reads versions 1 to 3 with the features it implements', () => {
    for (const v of [1, 2]) expect(() => checkReadSupported(protocol(v))).not.toThrow()
    expect(() => checkReadSupported(protocol(3, [...SUPPORTED_READER_FEATURES]))).not.toThrow()
  })

  it('refuses an unknown reader version', () => {
    expect(refusal(() => checkReadSupported(protocol(4)))).toMatch(/reader version 4/)
    expect(refusal(() => checkReadSupported(protocol(0)))).toMatch(/reader version 0/)
  })

  it('refuses unknown reader features, naming each of them', () => {
    const message = refusal(() => checkReadSupported(protocol(3, ['deletionVectors', 'variantType', 'catalogManaged'])))
    expect(message).toContain("'variantType'")
    expect(message).toContain("'catalogManaged'")
    expect(message).not.toContain("'deletionVectors'")
    expect(message).toMatch(/features/)
  })

  it('refuses an unknown column mapping mode in the metadata', () => {
    const metadata = { kind: 'metaData', configuration: { 'delta.columnMapping.mode': 'fancy' } } as unknown as MetadataAction
    expect(refusal(() => checkReadSupported(protocol(2), metadata))).toMatch(/fancy/)
  })
})
