import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import { SUPPORTED_READER_FEATURES } from '../../../src/delta/features/reader.js'
import { checkWriteSupported, MAX_WRITER_VERSION, SUPPORTED_WRITER_FEATURES } from '../../../src/delta/features/writer.js'
import type { ProtocolAction } from '../../../src/delta/model/actions.js'

const features = (writerFeatures: string[], readerFeatures?: string[]): ProtocolAction =>
  ({ kind: 'protocol', minReaderVersion: readerFeatures ? 3 : 1, minWriterVersion: 7, writerFeatures, ...(readerFeatures ? { readerFeatures } : {}) })

function refusal(f: () => void, code = 'UnsupportedFeature'): string {
  try {
    f()
  } catch (e) {
    expect(isDeltaError(e)).toBe(true)
    expect((e as { code: string }).code).toBe(code)
    return (e as Error).message
  }
  throw new Error('expected a refusal')
}

describe('checkWriteSupported', () => {
  it('writes legacy versions and every supported writer feature', () => {
    for (let v = 1; v < MAX_WRITER_VERSION; v++) expect(() => checkWriteSupported({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: v })).not.toThrow()
    const readerWriter = [...SUPPORTED_WRITER_FEATURES].filter((f) => SUPPORTED_READER_FEATURES.has(f))
    expect(() => checkWriteSupported(features([...SUPPORTED_WRITER_FEATURES], readerWriter))).not.toThrow()
  })

  it('refuses a writer version above the highest it writes', () => {
    expect(refusal(() => checkWriteSupported({ kind: 'protocol', minReaderVersion: 1, minWriterVersion: MAX_WRITER_VERSION + 1 }))).toMatch(/writer version 8/)
  })

  it('refuses unknown writer features, naming each, and says the table can still be read', () => {
    const message = refusal(() => checkWriteSupported(features(['appendOnly', 'rowTracking', 'clustering'])))
    expect(message).toContain("'rowTracking'")
    expect(message).toContain("'clustering'")
    expect(message).not.toContain("'appendOnly'")
    expect(message).toMatch(/can still read/)
  })

  it('refuses what it cannot read before what it cannot write', () => {
    expect(refusal(() => checkWriteSupported(features(['variantType'], ['variantType'])))).toMatch(/reader feature 'variantType'/)
  })
})

