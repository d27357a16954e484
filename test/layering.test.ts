import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The protocol core runs anywhere it is handed a Storage and a ParquetCodec: it must not reach
// for the DOM, Node, the network or a WASM package on its own.
const FORBIDDEN_IMPORTS = [/^node:/, /^parquet-wasm/, /^@duckdb\//, /^hyparquet/, /^comlink/, /^(fs|path|os|url|crypto|worker_threads|child_process)$/]
const FORBIDDEN_GLOBALS = /\b(fetch|window|document|navigator|localStorage|indexedDB|XMLHttpRequest|process|Buffer|require)\s*[.(]/

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : []
  })
}

describe('src/delta layering', () => {
  const files = sources(new URL('../src/delta', import.meta.url).pathname)
  it('has sources to check', () => expect(files.length).toBeGreaterThan(0))
  for (const file of files) {
    it(`${file.split('src/delta/')[1]} imports nothing platform-specific`, () => {
      const text = readFileSync(file, 'utf8')
      const imports = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!)
      for (const spec of imports) {
        expect(FORBIDDEN_IMPORTS.some((re) => re.test(spec)), `${spec}`).toBe(false)
      }
      const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '')
      expect(FORBIDDEN_GLOBALS.exec(code)?.[0]).toBeUndefined()
    })
  }
})
