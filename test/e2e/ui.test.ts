// `npm start`: the Vite dev server of vite.config.ts serves the demo page, which opens the
// sample table in public/ through the worker pool and shows its schema, version and rows.
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type ViteDevServer } from 'vite'
import type { Browser } from 'playwright-core'
import { DeltaTable } from '../../src/api/delta-table.js'
import { chromiumAvailable, launchChromium } from '../../e2e/chromium.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const run = chromiumAvailable('e2e demo page')

describe.runIf(run)('the demo page on the Vite dev server', () => {
  let vite: ViteDevServer
  let browser: Browser

  beforeAll(async () => {
    vite = await createServer({ configFile: `${ROOT}vite.config.ts`, root: `${ROOT}src/ui`, server: { port: 0 }, logLevel: 'warn' })
    await vite.listen()
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await vite?.close()
  })

  it('shows the sample table: schema, version and first rows', async () => {
    const expected = await DeltaTable.open(`${ROOT}public/sample-table`)
    const url = vite.resolvedUrls?.local[0]
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(url!)
    await page.waitForSelector('body[data-state="shown"]', { timeout: 60_000 })
    expect(await page.textContent('#error')).toBe('')
    expect(await page.textContent('#version')).toBe(String(expected.version))
    const schemaRows = await page.$$eval('#schema tr', (rows) => rows.slice(1).map((r) => r.firstElementChild?.textContent))
    expect(schemaRows).toEqual(expected.schema().fields.map((f) => f.name))
    const cities = await page.$$eval('#rows tr', (rows) => rows.slice(1).map((r) => r.firstElementChild?.textContent))
    const want = (await expected.toArrow()).getChild('city')!.toArray() as string[]
    expect([...cities].sort()).toEqual([...want].sort())
    expect(errors).toEqual([])
  }, 120_000)
})
