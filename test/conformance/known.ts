import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** KNOWN.md next to this file: the ratchet of tables allowed to fail, each with a reason. */
export const KNOWN_PATH = fileURLToPath(new URL('./KNOWN.md', import.meta.url))

const ENTRY = /^\s*[-*]\s+(.+?):\s+(.*\S)\s*$/

/**
 * Table name -> reason, from lines `- <table-name>: <reason>`. Other lines (headings, prose)
 * are ignored; a listed line without a reason is an error, since the reason is the point.
 */
export function parseKnown(text: string): Map<string, string> {
  const known = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (!/^\s*[-*]\s+/.test(line)) continue
    const m = ENTRY.exec(line)
    if (!m) throw new Error(`KNOWN.md: '${line.trim()}' must read '- <table-name>: <reason>'`)
    known.set(m[1]!, m[2]!)
  }
  return known
}

/** The known-failure list of the repository. */
export function loadKnown(): Map<string, string> {
  return parseKnown(readFileSync(KNOWN_PATH, 'utf8'))
}
