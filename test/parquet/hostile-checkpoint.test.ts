import { describe, expect, it } from 'vitest'
import { runChildBatch } from '../helpers/child-batch.js'

interface Case {
  done?: true
  checkpoint?: string
  case?: number
  kind: string
  region: string
  result: 'same' | 'different' | 'typed' | 'untyped' | 'hang'
  code?: string
  message?: string
}

// A table with a checkpoint, opened and read with its checkpoint corrupted in a hundred and
// fifty ways (bits flipped anywhere and in page headers, ranges zeroed, the file truncated), in
// a child process with a deadline. Each open must fail with a DeltaError, a Parquet one naming
// the checkpoint, or read the table; only a mutation wholly inside page data (which Parquet does
// not checksum) may change what is read.
describe('a corrupted checkpoint', () => {
  it('gives a typed error naming it, never a crash, an untyped error or a hang', async () => {
    const run = await runChildBatch<Case>(new URL('./hostile-checkpoint-child.mjs', import.meta.url), ['20261202', '150', '5000'], 60_000)
    const checkpoint = run.lines.find((l) => l.checkpoint)?.checkpoint
    const cases = run.lines.filter((l) => l.case !== undefined)
    expect(run.timedOut, 'the batch outlived its deadline').toBe(false)
    expect({ code: run.code, signal: run.signal, stderr: run.stderr.slice(-2000) }).toEqual({ code: 0, signal: null, stderr: '' })
    expect(run.lines.at(-1)?.done, 'the batch did not finish').toBe(true)
    expect(checkpoint).toMatch(/checkpoint\.parquet$/)
    expect(cases).toHaveLength(150)
    expect(cases.filter((c) => c.result === 'untyped' || c.result === 'hang')).toEqual([])
    expect(cases.filter((c) => c.result === 'different' && c.region !== 'body')).toEqual([])
    expect(cases.filter((c) => c.kind === 'truncate' && c.result !== 'typed')).toEqual([])
    const parquetErrors = cases.filter((c) => c.code === 'InvalidData' && c.message?.startsWith('Parquet file'))
    expect(parquetErrors.length).toBeGreaterThan(50)
    // A flip inside page data can change an add's size or path (the checkpoint's bytes differ
    // from run to run: file names are random), and the error then names that data file instead.
    expect(parquetErrors.filter((c) => !c.message!.includes(`'${checkpoint}'`) && c.region !== 'body')).toEqual([])
  })
})
