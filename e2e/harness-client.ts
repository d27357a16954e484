import { tableFromIPC, type Table } from 'apache-arrow'
import type { Browser, Page } from 'playwright-core'
import { DeltaError, type DeltaErrorCode } from '../src/delta/engine/errors.js'
import type { CommitEntry } from '../src/delta/log/history.js'
import type { AddFileInfo } from '../src/api/table-api.js'
import type { OpenRequest, RealmStats } from '../src/worker/protocol.js'
import type { WriteOptions } from '../src/delta/write/write-options.js'
import type { WriteResult } from '../src/delta/ops/write.js'
import { buildHarnessPage } from './build-page.js'
import { launchChromium } from './chromium.js'
import type { Harness, Outcome, StorageSpec } from './page/harness.js'
import type { FsaOp } from './page/fsa-bridge.js'
import type { RowSpec } from './page/rows.js'
import type { MainRealmReport } from './page/spy.js'
import { servePage, type PageServer } from './serve-page.js'

export type { StorageSpec, RowSpec, MainRealmReport }

type Unwrap<T> = T extends Promise<Outcome<infer U>> ? U : T extends Promise<infer V> ? V : T
type Method = { [K in keyof Harness]: Harness[K] extends (...args: never[]) => unknown ? K : never }[keyof Harness]
type Summary = Unwrap<ReturnType<Harness['open']>>

/** A browser with the harness page served: open pages on it, close it all at the end. */
export interface BrowserHarness {
  browser: Browser
  server: PageServer
  /** Open the harness in a new page (a tab of one browser context, so one origin and one OPFS). */
  newPage(workers?: number): Promise<HarnessPage>
  close(): Promise<void>
}

/** Build the page, serve it on 127.0.0.1 and launch Chromium. */
export async function startBrowserHarness(): Promise<BrowserHarness> {
  const server = await servePage(await buildHarnessPage())
  const browser = await launchChromium()
  // The HTTP/2 test proxy has a self-signed certificate.
  const context = await browser.newContext({ ignoreHTTPSErrors: true })
  return {
    browser,
    server,
    newPage: async (workers = 2) => {
      const page = await context.newPage()
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`))
      await page.goto(`${server.url}/?workers=${workers}`)
      await page.waitForFunction(() => 'harness' in globalThis)
      return new HarnessPage(page, server)
    },
    close: async () => {
      await browser.close()
      await server.close()
    },
  }
}

/** One harness page, driven from Node: every call runs in the page, errors come back as DeltaErrors. */
export class HarnessPage {
  readonly page: Page
  readonly #server: PageServer

  constructor(page: Page, server: PageServer) {
    this.page = page
    this.#server = server
  }

  /** Call a harness method in the page; an error outcome is thrown as a DeltaError with its code. */
  async call<K extends Method>(name: K, ...args: Parameters<Harness[K]>): Promise<Unwrap<ReturnType<Harness[K]>>> {
    const result = await this.page.evaluate(
      ([n, a]) => (globalThis as unknown as { harness: Record<string, (...x: unknown[]) => unknown> }).harness[n]!(...a),
      [name, args] as [string, unknown[]],
    )
    if (result && typeof result === 'object' && 'error' in result) {
      const e = (result as { error: { name: string; code?: string; message: string } }).error
      if (e.name === 'DeltaError' && e.code) throw new DeltaError(e.code as DeltaErrorCode, e.message)
      throw new Error(`${e.name}: ${e.message}`)
    }
    return (result && typeof result === 'object' && 'ok' in result ? (result as { ok: unknown }).ok : result) as Unwrap<ReturnType<Harness[K]>>
  }

  /** Open a table in the page's worker pool. */
  async openTable(spec: StorageSpec, req: OpenRequest = {}): Promise<PageTable> {
    return new PageTable(this, await this.call('open', spec, req))
  }

  /** Write rows in the page's worker pool. */
  write(spec: StorageSpec, rows: RowSpec, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.call('write', spec, rows, opts)
  }

  /** Call an FsaStorage method on an OPFS folder of the page. */
  fsa(dir: string, op: FsaOp, ...args: unknown[]): Promise<unknown> {
    return this.call('fsa', dir, op, args)
  }

  workerStats(): Promise<RealmStats[]> {
    return this.call('workerStats')
  }

  mainRealm(): Promise<MainRealmReport> {
    return this.call('mainRealm')
  }

  /** Parse the Arrow IPC a page posted under `id`. */
  takeTable(id: string): Table {
    return tableFromIPC(this.#server.takeBlob(id))
  }
}

/** A table open in a page, with the read methods of DeltaTable (what the conformance checks use). */
export class PageTable {
  readonly #page: HarnessPage
  #summary: Summary

  constructor(page: HarnessPage, summary: Summary) {
    this.#page = page
    this.#summary = summary
  }

  get version(): number {
    return this.#summary.version
  }

  get numFiles(): number {
    return this.#summary.numFiles
  }

  /** How long the open took in the page, in ms (log replay in the worker included). */
  get openMs(): number {
    return this.#summary.openMs
  }

  schema(): Summary['schema'] {
    return this.#summary.schema
  }

  metadata(): Summary['metadata'] {
    return this.#summary.metadata
  }

  checkpointVersion(): number | undefined {
    return this.#summary.checkpointVersion ?? undefined
  }

  appTransactions(): Record<string, number> {
    return this.#summary.appTransactions
  }

  files(): Promise<AddFileInfo[]> {
    return this.#page.call('files', this.#summary.id)
  }

  history(limit?: number): Promise<CommitEntry[]> {
    return this.#page.call('history', this.#summary.id, limit)
  }

  async toArrow(opts: { columns?: string[]; filter?: string; files?: string[] } = {}): Promise<Table> {
    return this.#page.takeTable(await this.#page.call('toArrow', this.#summary.id, opts))
  }

  /** The batches of `toBatches` in the page, joined into one table, and how many there were. */
  async toBatches(opts: { columns?: string[]; filter?: string; files?: string[] } = {}): Promise<{ table: Table; batches: number }> {
    const { table, batches } = await this.#page.call('toBatches', this.#summary.id, opts)
    return { table: this.#page.takeTable(table), batches }
  }

  async changes(opts: { startVersion: number; endVersion?: number }): Promise<Table> {
    return this.#page.takeTable(await this.#page.call('changes', this.#summary.id, opts))
  }

  async loadAsVersion(version: number | string): Promise<void> {
    this.#summary = { ...this.#summary, ...(await this.#page.call('loadAsVersion', this.#summary.id, version)) }
  }

  close(): Promise<void> {
    return this.#page.call('close', this.#summary.id)
  }
}
