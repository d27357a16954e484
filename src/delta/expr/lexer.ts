import { DeltaError } from '../errors.js'

/** One token of a filter string; `pos` is its 0-based offset, for error messages. */
export type Token =
  | { kind: 'ident'; text: string; quoted: boolean; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'hex'; bytes: Uint8Array; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'end'; pos: number }

const IDENT_START = /[\p{L}_]/u
const IDENT_PART = /[\p{L}\p{N}_$]/u
const NUMBER_AT = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y
const OPERATORS = ['==', '!=', '<>', '<=', '>=', '||', '=', '<', '>', '(', ')', ',', '.', '+', '-', '*', '/', '%', '!']

/** A filter syntax error pointing at a character of the input. */
export function syntaxError(text: string, pos: number, message: string): DeltaError {
  const near = pos >= text.length ? 'at the end of the filter' : `at position ${pos + 1} (near '${text.slice(pos, pos + 12)}')`
  return new DeltaError('InvalidArgument', `invalid filter: ${message} ${near}: ${text}`)
}

/** Read a quoted run starting at `pos` (the opening quote); a doubled quote stands for one. */
function readQuoted(text: string, pos: number, quote: string, what: string): { value: string; end: number } {
  let value = ''
  let i = pos + 1
  for (;;) {
    const j = text.indexOf(quote, i)
    if (j < 0) throw syntaxError(text, pos, `unterminated ${what}`)
    value += text.slice(i, j)
    if (text[j + 1] === quote) {
      value += quote
      i = j + 2
    } else {
      return { value, end: j + 1 }
    }
  }
}

function hexBytes(text: string, hex: string, pos: number): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw syntaxError(text, pos, 'a binary literal needs an even number of hex digits')
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

function readToken(text: string, i: number): { token: Token; end: number } {
  const c = text[i]!
  if ((c === 'x' || c === 'X') && text[i + 1] === "'") {
    const q = readQuoted(text, i + 1, "'", 'binary literal')
    return { token: { kind: 'hex', bytes: hexBytes(text, q.value, i), pos: i }, end: q.end }
  }
  if (c === "'") {
    const q = readQuoted(text, i, "'", 'string')
    return { token: { kind: 'string', text: q.value, pos: i }, end: q.end }
  }
  if (c === '`' || c === '"') {
    const q = readQuoted(text, i, c, 'quoted name')
    return { token: { kind: 'ident', text: q.value, quoted: true, pos: i }, end: q.end }
  }
  if (IDENT_START.test(c)) {
    let j = i + 1
    while (j < text.length && IDENT_PART.test(text[j]!)) j++
    return { token: { kind: 'ident', text: text.slice(i, j), quoted: false, pos: i }, end: j }
  }
  NUMBER_AT.lastIndex = i
  const num = NUMBER_AT.exec(text)
  if (num) return { token: { kind: 'number', text: num[0], pos: i }, end: i + num[0].length }
  const op = OPERATORS.find((o) => text.startsWith(o, i))
  if (op) return { token: { kind: 'op', text: op, pos: i }, end: i + op.length }
  throw syntaxError(text, i, `unexpected character '${c}'`)
}

/** Split a filter into tokens (the last one is always `end`). */
export function tokenize(text: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++
      continue
    }
    const { token, end } = readToken(text, i)
    out.push(token)
    i = end
  }
  out.push({ kind: 'end', pos: text.length })
  return out
}
