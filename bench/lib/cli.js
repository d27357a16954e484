// Command-line flags of the runner and of each workload child: `--name value` pairs only.

/**
 * Parse `--name value` flags (a flag without a value is `true`).
 * @param {string[]} argv
 * @returns {Record<string, string | true>}
 */
export function parseFlags(argv) {
  /** @type {Record<string, string | true>} */
  const out = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}': flags are --name value`)
    const next = argv[i + 1]
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = true
    else {
      out[a.slice(2)] = next
      i++
    }
  }
  return out
}

/**
 * A positive number flag, or its default.
 * @param {Record<string, string | true>} flags
 * @param {string} name
 * @param {number} fallback
 */
export function numberFlag(flags, name, fallback) {
  const v = flags[name]
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${String(v)}'`)
  return n
}

/**
 * A string flag, or its default.
 * @param {Record<string, string | true>} flags
 * @param {string} name
 * @param {string} [fallback]
 */
export function stringFlag(flags, name, fallback) {
  const v = flags[name]
  if (v === undefined || v === true) {
    if (fallback === undefined) throw new Error(`--${name} is required`)
    return fallback
  }
  return v
}
