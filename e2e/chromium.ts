import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** Debian's Chromium: browser downloads do not work here, so Playwright drives this one. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
]

/**
 * Whether the browser suites can run. Without Chromium they print one skip line, except on CI
 * (`CI=true`), where a missing browser is a broken machine and fails the run.
 */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true
  if (process.env.CI === 'true') throw new Error(`${suite}: Chromium not found at ${CHROMIUM_PATH}; CI must install it (apt-get install -y chromium)`)
  console.log(`${suite}: skipped, Chromium not found at ${CHROMIUM_PATH}`)
  return false
}

/** Launch headless Chromium from `CHROMIUM_PATH`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS })
}
