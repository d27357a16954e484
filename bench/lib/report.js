// The suite's output: one table on the console, bench/results/latest.json (the record) and
// bench/results/latest.md (the same table in Markdown, for the README).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { RESULTS_DIR } from './paths.js'

const COLUMNS = [
  ['workload', (r) => r.workload],
  ['env', (r) => r.env],
  ['ours ms', (r) => fmt(r.ours_ms)],
  ['floor ms', (r) => fmt(r.floor_ms)],
  ['x floor', (r) => (r.ratio_to_floor === undefined ? '' : `${r.ratio_to_floor}x`)],
  ['baselines ms', (r) => Object.entries(r.baselines ?? {}).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')],
  ['peak MB', (r) => fmt(r.peak_mb)],
  ['goal', (r) => (r.goal === 'pending' ? `pending${r.skipped ? `: ${r.skipped}` : r.error ? ': failed' : ''}` : `${r.goal}${r.goal_detail ? ` (${r.goal_detail})` : ''}`)],
]

function fmt(x) {
  if (typeof x !== 'number') return ''
  return x >= 100 ? String(Math.round(x)) : String(Math.round(x * 10) / 10)
}

/**
 * The results as a plain-text table.
 * @param {Record<string, any>[]} results
 */
export function formatTable(results) {
  const cells = [COLUMNS.map(([h]) => h), ...results.map((r) => COLUMNS.map(([, f]) => f(r)))]
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i].length)))
  return cells.map((row) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n')
}

/**
 * The results as a Markdown table.
 * @param {Record<string, any>[]} results
 */
export function formatMarkdown(results) {
  const head = `| ${COLUMNS.map(([h]) => h).join(' | ')} |\n|${COLUMNS.map(() => ' --- ').join('|')}|`
  return [head, ...results.map((r) => `| ${COLUMNS.map(([, f]) => f(r).replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n')
}

/**
 * The base name of the results files of a scale: `latest` for scale 1, the record the README
 * quotes; `scale-<N>` otherwise, so a development run at `--scale 0.1` never replaces it.
 * @param {number} scale
 */
export function resultsName(scale) {
  return scale === 1 ? 'latest' : `scale-${scale}`
}

/**
 * Fresh results merged into the record of their scale (latest.json for scale 1): rows of the same workload and env are
 * replaced; rows of other workloads are kept when they were measured at the same scale (a
 * `--only` run updates part of the record) and dropped otherwise. Rows come back in suite order.
 * @param {Record<string, any>[]} fresh
 * @param {string[]} order workload names in suite order
 */
export function mergeResults(fresh, order) {
  const path = join(RESULTS_DIR, `${resultsName(fresh[0]?.scale ?? 1)}.json`)
  const old = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : []
  const scale = fresh[0]?.scale
  const key = (r) => `${r.workload}\u0000${r.env}`
  const merged = new Map(old.filter((r) => r.scale === scale).map((r) => [key(r), r]))
  for (const r of fresh) merged.set(key(r), r)
  const rank = (r) => {
    const i = order.indexOf(r.workload)
    return i < 0 ? order.length : i
  }
  return [...merged.values()].sort((a, b) => rank(a) - rank(b))
}

/**
 * Write `<name>.json` and `<name>.md` (see resultsName); returns the name.
 * @param {Record<string, any>[]} rows
 */
export function writeResults(rows) {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const name = resultsName(rows[0]?.scale ?? 1)
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(rows, null, 2)}\n`)
  writeFileSync(join(RESULTS_DIR, `${name}.md`), `${formatMarkdown(rows)}\n`)
  return name
}
