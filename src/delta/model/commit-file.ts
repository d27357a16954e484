import { fileActionKey, canonicalPath, type Action, type AddAction, type RemoveAction } from './action-types.js'
import { invalidLog, type LogLocation } from './log-location.js'
import { parseAction } from './parse-action.js'

/** What kind of newline-delimited JSON file of actions is being read. */
export interface ParseCommitOptions {
  /**
   * A JSON checkpoint (v2) rather than a commit: it may hold the checkpoint-only actions
   * (`sidecar`, `checkpointMetadata`), and its file actions are checked for duplicates by the
   * checkpoint reader, across all its parts, in bounded memory.
   */
  checkpoint?: boolean
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The text of a log file, which must be valid UTF-8: text decoded with replacement characters
 * could name other files than the writer wrote (a remove that no longer matches its add).
 * Invalid bytes are `InvalidLog` naming the file and the line that holds them.
 */
export function decodeLogText(bytes: Uint8Array, file: string): string {
  try {
    return utf8.decode(bytes)
  } catch (e) {
    throw invalidLog({ file, line: lineOfInvalidUtf8(bytes) }, 'the file is not valid UTF-8 text', e)
  }
}

/** The 1-based line holding the first byte sequence that is not UTF-8 (only run on failure). */
function lineOfInvalidUtf8(bytes: Uint8Array): number {
  let line = 1
  let start = 0
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue
    try {
      utf8.decode(bytes.subarray(start, i))
    } catch {
      return line
    }
    line++
    start = i + 1
  }
  return line
}

/**
 * Parse every line of a commit file (newline-delimited JSON, one action per line; lines of
 * whitespace are skipped, as Spark and delta-rs skip them). Bytes must be UTF-8 (see
 * {@link decodeLogText}); each action is checked by the one validator (`parseAction`), and the
 * commit as a whole as the protocol requires of one version: at most one `metaData` and one
 * `protocol`, one `txn` per application and one `domainMetadata` per domain, no file added or
 * removed twice, none both added and removed with the same deletion vector, and no
 * checkpoint-only action. Every violation is `InvalidLog` naming the file and line.
 */
export function parseCommit(content: string | Uint8Array, file: string, opts: ParseCommitOptions = {}): Action[] {
  const text = typeof content === 'string' ? content : decodeLogText(content, file)
  const check = opts.checkpoint ? undefined : new CommitRules(file)
  const out: Action[] = []
  const at: LogLocation = { file, line: 0 }
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    at.line!++
    const line = text.slice(start, end)
    start = end + 1
    if (line.trim() === '') continue
    let obj: unknown
    try {
      obj = JSON.parse(line)
    } catch (e) {
      throw invalidLog(at, `the line is not valid JSON (${e instanceof Error ? e.message : String(e)})`, e)
    }
    const a = parseAction(obj, at)
    if (!a) continue
    check?.accept(a, at.line!)
    out.push(a)
  }
  return out
}

/** The rules a commit obeys as a whole, checked one action at a time. */
class CommitRules {
  private metadataLine = 0
  private protocolLine = 0
  // Made on first use: most commits of a long log hold an action or two.
  private adds: Map<string, FileSeen> | undefined
  private removes: Map<string, FileSeen> | undefined
  private txns: Map<string, number> | undefined
  private domains: Map<string, number> | undefined

  constructor(private readonly file: string) {}

  accept(a: Action, line: number): void {
    switch (a.kind) {
      case 'metaData':
        if (this.metadataLine) throw this.twice(line, `two metaData actions (lines ${this.metadataLine} and ${line}); a version has at most one`)
        this.metadataLine = line
        break
      case 'protocol':
        if (this.protocolLine) throw this.twice(line, `two protocol actions (lines ${this.protocolLine} and ${line}); a version has at most one`)
        this.protocolLine = line
        break
      case 'add':
      case 'remove':
        this.fileAction(a, line)
        break
      case 'txn':
        this.txns = this.once(this.txns, a.appId, line, 'txn actions for application')
        break
      case 'domainMetadata':
        this.domains = this.once(this.domains, a.domain, line, 'domainMetadata actions for domain')
        break
      case 'sidecar':
      case 'checkpointMetadata':
        throw this.twice(line, `a ${a.kind} action, which only v2 checkpoints may hold`)
    }
  }

  private twice(line: number, why: string): Error {
    return invalidLog({ file: this.file, line }, why)
  }

  private once(seen: Map<string, number> | undefined, key: string, line: number, what: string): Map<string, number> {
    const map = seen ?? new Map<string, number>()
    const first = map.get(key)
    if (first !== undefined) throw this.twice(line, `two ${what} '${key}' (lines ${first} and ${line}); a version has at most one`)
    map.set(key, line)
    return map
  }

  /**
   * Files are keyed by canonical path: the protocol allows one add and one remove per path in a
   * version, and an add and a remove of one path only with different deletion vectors.
   */
  private fileAction(a: AddAction | RemoveAction, line: number): void {
    const path = canonicalPath(a.path)
    const same = a.kind === 'add' ? (this.adds ??= new Map()) : (this.removes ??= new Map())
    const other = a.kind === 'add' ? this.removes : this.adds
    const first = same.get(path)
    if (first) throw this.twice(line, `the file '${a.path}' has two ${a.kind} actions (lines ${first.line} and ${line}); a version has at most one per file`)
    const key = fileActionKey(a.path, a.deletionVector)
    const counter = other?.get(path)
    if (counter && counter.key === key) {
      throw this.twice(line, `the file '${a.path}' is both added and removed with the same deletion vector (lines ${counter.line} and ${line})`)
    }
    same.set(path, { line, key })
  }
}

interface FileSeen {
  line: number
  key: string
}
