import { describe, expect, it } from 'vitest'
import { runChildBatch } from '../helpers/child-batch.js'

/** One case of the batch, as hostile-parquet-child.mjs prints it. */
interface Case {
  done?: true
  file: string
  case: number
  kind: string
  at: number
  /** Where the mutation lies: header, body (page data), footer, index, or size (truncations, lies, short reads). */
  region: string
  cut?: boolean
  ms: number
  result: 'same' | 'different' | 'typed' | 'untyped' | 'hang'
  code?: string
  message?: string
}

const CHILD = new URL('./hostile-parquet-child.mjs', import.meta.url)
const PER_FILE = 150

// Hundreds of corrupted copies of three Parquet files (snappy, zstd with nested columns,
// uncompressed with nested columns; dictionary pages, several row groups, nulls), decoded whole,
// by ranges and projected: flipped bits anywhere, in page headers and in footers; zeroed ranges;
// truncations; sizes larger and smaller than the file; reads cut short. Each case may either fail
// with a DeltaError or succeed; a success may differ from the intact file only when the mutation
// lies wholly inside page bodies, which Parquet does not checksum (parquet-wasm writes no page
// CRC): that, and nothing else, is the allow-list. A crash of the process, an untyped error or a
// hang fails the test.
describe('corrupted Parquet files', () => {
  it('give typed errors or, for page data only, other values: never a crash, an untyped error or a hang', async () => {
    const run = await runChildBatch<Case>(CHILD, ['20261202', String(PER_FILE), '5000'], 90_000)
    const cases = run.lines.filter((l) => !l.done)
    const summary = new Map<string, number>()
    for (const c of cases) summary.set(`${c.kind}/${c.result}`, (summary.get(`${c.kind}/${c.result}`) ?? 0) + 1)
    const crashes = cases.filter((c) => c.message?.includes('the decoder crashed'))
    console.log(`hostile Parquet: ${cases.length} cases, ${crashes.length} decoder crashes survived;`, Object.fromEntries(summary))

    expect(run.timedOut, 'the batch outlived its deadline').toBe(false)
    expect({ code: run.code, signal: run.signal, stderr: run.stderr.slice(-2000) }).toEqual({ code: 0, signal: null, stderr: '' })
    expect(run.lines.at(-1)?.done, 'the batch did not finish').toBe(true)
    expect(cases).toHaveLength(3 * PER_FILE)
    expect(cases.filter((c) => c.result === 'untyped' || c.result === 'hang')).toEqual([])
    expect(cases.filter((c) => c.result === 'different' && c.region !== 'body')).toEqual([])
    // A file that is not the length the log says, or a read cut short, is always refused.
    const sized = cases.filter((c) => c.region === 'size' && (c.kind !== 'short-read' || c.cut))
    expect(sized.length).toBeGreaterThan(50)
    expect(sized.filter((c) => c.code !== 'InvalidData')).toEqual([])
    // Every refusal of a corrupt file names it.
    expect(cases.filter((c) => c.code === 'InvalidData' && !c.message?.includes("'mutated.parquet'"))).toEqual([])
    // Some corruption gets past every check and traps in parquet-wasm: the decoder thread died,
    // the read failed, and the next reads ran in a fresh thread.
    expect(crashes.length).toBeGreaterThan(0)
    const lastCrash = cases.lastIndexOf(crashes.at(-1)!)
    expect(cases.slice(lastCrash + 1).some((c) => c.result === 'same')).toBe(true)
  })
})
