import { describe, expect, it } from 'vitest'
import { commitPath, padVersion, parseLogFileName } from '../../../src/delta/log/log-path.js'

describe('parseLogFileName', () => {
  it('classifies every kind of log file', () => {
    expect(parseLogFileName('00000000000000000007.json')).toEqual({ kind: 'commit', version: 7, name: '00000000000000000007.json' })
    expect(parseLogFileName('00000000000000000010.checkpoint.parquet')).toMatchObject({ kind: 'checkpoint', version: 10, format: 'classic' })
    expect(parseLogFileName('00000000000000000010.checkpoint.0000000002.0000000003.parquet')).toMatchObject({ kind: 'checkpoint', format: 'multipart', part: 2, parts: 3 })
    expect(parseLogFileName('00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json')).toMatchObject({ kind: 'checkpoint', format: 'uuid', ext: 'json' })
    expect(parseLogFileName('00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.parquet')).toMatchObject({ format: 'uuid', ext: 'parquet' })
    expect(parseLogFileName('00000000000000000004.00000000000000000006.compacted.json')).toMatchObject({ kind: 'compaction', version: 4, endVersion: 6 })
    expect(parseLogFileName('00000000000000000003.crc')).toMatchObject({ kind: 'crc', version: 3 })
  })

  it('ignores everything else', () => {
    for (const name of ['_last_checkpoint', '.00000000000000000001.json.tmp', '1.json', '00000000000000000001.json.crc', 'foo.parquet']) {
      expect(parseLogFileName(name)).toBeUndefined()
    }
  })

  it('pads versions to 20 digits', () => {
    expect(padVersion(12)).toBe('00000000000000000012')
    expect(commitPath(3)).toBe('_delta_log/00000000000000000003.json')
  })
})
