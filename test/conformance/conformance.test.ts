import { afterAll, describe, expect, it } from 'vitest'
import { checkTable } from './check-table.js'
import { corpusDir, hasCorpus, loadManifest } from './corpus.js'
import { loadKnown } from './known.js'

// One loop over every table of the conformance corpus (see test/fixtures/README.md). Each table
// is one test; KNOWN.md lists tables allowed to fail, and a listed table that passes fails the
// suite so the list only ever shrinks.

/** Per-table time budget: the largest tables decode a million rows in one test. */
const TABLE_TIMEOUT_MS = 180_000

const corpus = corpusDir()

if (!hasCorpus(corpus)) {
  it.skip('conformance corpus (not found)', () => {})
} else {
  const manifest = loadManifest(corpus)
  const known = loadKnown()
  const tally = { passed: 0, failed: 0, skipped: 0 }

  describe('conformance corpus', () => {
    afterAll(() => {
      console.log(`conformance: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`)
    })

    it('KNOWN.md lists only tables of the corpus', () => {
      const names = new Set(manifest.map((e) => e.name))
      expect([...known.keys()].filter((n) => !names.has(n))).toEqual([])
    })

    for (const entry of manifest) {
      it(entry.name, async (ctx) => {
        const { failures, refusals } = await checkTable(corpus, entry)
        for (const refusal of refusals) await ctx.annotate(`accepted refusal: ${refusal}`)
        const reason = known.get(entry.name)
        if (reason !== undefined) {
          if (failures.length === 0) {
            tally.failed++
            throw new Error(`${entry.name} is listed in KNOWN.md but passes: strike it`)
          }
          tally.skipped++
          ctx.skip(`known failure (KNOWN.md): ${reason}`)
        }
        if (failures.length > 0) {
          tally.failed++
          throw new Error(`${entry.name} does not conform:\n${failures.join('\n')}`)
        }
        tally.passed++
      }, TABLE_TIMEOUT_MS)
    }
  })
}
