import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../src', import.meta.url))

// The protocol core runs anywhere it is handed a Storage and a ParquetCodec: it must not reach
// for the DOM, Node, the network or a WASM package on its own.
const FORBIDDEN_IMPORTS = [/^node:/, /^parquet-wasm/, /^@duckdb\//, /^hyparquet/, /^comlink/, /^(fs|path|os|url|crypto|worker_threads|child_process)$/]
const FORBIDDEN_GLOBALS = /\b(fetch|window|document|navigator|localStorage|indexedDB|XMLHttpRequest|process|Buffer|require)\s*[.(]/

// Imports flow downward only (DESIGN.md, "Layers"): each folder of src and the folders it must
// not import from. The core is handed its Storage and ParquetCodec, so it imports neither.
// '' stands for the files directly in src: the package's entries, which sit on top.
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  delta: ['api', 'worker', 'storage', 'parquet', 'ui', 'cli', ''],
  storage: ['api', 'worker', 'ui', 'cli', ''],
  parquet: ['api', 'worker', 'ui', 'cli', ''],
  api: ['worker', 'ui', 'cli', ''],
  worker: ['ui', 'cli'],
}

// The app and the command line use the library as any program would: through its entries.
const PUBLIC_ENTRIES = ['index.ts', 'index-node.ts', 'node.ts', 'testing.ts', 'worker/index.ts', 'worker/node.ts']

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : []
  })
}

/** Every module specifier a file imports or re-exports, static, dynamic and type-only alike. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!)
}

/** The top folder of src that a relative import lands in ('' for a file directly in src). */
function layerOf(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined
  const target = relative(SRC, resolve(dirname(file), spec)).split(/[\\/]/)
  return target.length > 1 && target[0] !== '..' ? target[0] : ''
}

describe('src/delta layering', () => {
  const files = sources(join(SRC, 'delta'))
  it('has sources to check', () => expect(files.length).toBeGreaterThan(0))
  for (const file of files) {
    it(`${relative(SRC, file)} imports nothing platform-specific`, () => {
      for (const spec of importsOf(file)) {
        expect(FORBIDDEN_IMPORTS.some((re) => re.test(spec)), `${spec}`).toBe(false)
      }
      const code = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '')
      expect(FORBIDDEN_GLOBALS.exec(code)?.[0]).toBeUndefined()
    })
  }
})

describe('layer direction', () => {
  it('resolves relative imports to the folder they land in', () => {
    const file = join(SRC, 'delta', 'scan', 'plan.ts')
    expect(layerOf(file, '../../storage/memory.js')).toBe('storage')
    expect(layerOf(file, '../log/snapshot.js')).toBe('delta')
    expect(layerOf(file, '../../index.js')).toBe('')
    expect(layerOf(file, 'apache-arrow')).toBeUndefined()
  })

  for (const [layer, forbidden] of Object.entries(LAYERS)) {
    it(`src/${layer} imports nothing from ${forbidden.map((l) => `src/${l}`).join(', ')}`, () => {
      const dir = join(SRC, layer)
      expect(existsSync(dir), `src/${layer}`).toBe(true)
      const wrong = sources(dir).flatMap((file) =>
        importsOf(file)
          .filter((spec) => {
            const target = layerOf(file, spec)
            return target !== undefined && forbidden.includes(target)
          })
          .map((spec) => `${relative(SRC, file)} imports '${spec}'`))
      expect(wrong).toEqual([])
    })
  }
})

describe('the app and the command line', () => {
  for (const layer of ['ui', 'cli']) {
    it(`src/${layer} imports the library only through its public entries`, () => {
      const wrong = sources(join(SRC, layer)).flatMap((file) =>
        importsOf(file)
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => relative(SRC, resolve(dirname(file), spec)).replace(/\\/g, '/').replace(/\.js$/, '.ts'))
          .filter((target) => !target.startsWith(`${layer}/`) && !PUBLIC_ENTRIES.includes(target))
          .map((target) => `${relative(SRC, file)} imports src/${target}`))
      expect(wrong).toEqual([])
    })
  }
})
