import { DeltaError } from '../../engine/errors.js'

/** One token of a filter or SQL expression; `pos` is its 0-based offset, for error messages. */
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

/** What the text being parsed is, so that messages name it the way the caller knows it. */
export type SyntaxNoun = 'filter' | 'expression'

/** A syntax error pointing at a character of the input, as `InvalidArgument`. */
export function syntaxError(text: string, pos: number, message: string, noun: SyntaxNoun = 'filter'): DeltaError {
  const near = pos >= text.length ? `at the end of the ${noun}` : `at position ${pos + 1} (near '${text.slice(pos, pos + 12)}')`
  return new DeltaError('InvalidArgument', `invalid ${noun}: ${message} ${near}: ${text}`)
}

/** Read a quoted run starting at `pos` (the opening quote); a doubled quote stands for one. */
function readQuoted(text: string, pos: number, quote: string, what: string, noun: SyntaxNoun): { value: string; end: number } {
  let value = ''
  let i = pos + 1
  for (;;) {
    const j = text.indexOf(quote, i)
    if (j < 0) throw syntaxError(text, pos, `unterminated ${what}`, noun)
    value += text.slice(i, j)
    if (text[j + 1] === quote) {
      value += quote
      i = j + 2
    } else {
      return { value, end: j + 1 }
    }
  }
}

function hexBytes(text: string, hex: string, pos: number, noun: SyntaxNoun): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw syntaxError(text, pos, 'a binary literal needs an even number of hex digits', noun)
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

function readToken(text: string, i: number, noun: SyntaxNoun): { token: Token; end: number } {
  const c = text[i]!
  if ((c === 'x' || c === 'X') && text[i + 1] === "'") {
    const q = readQuoted(text, i + 1, "'", 'binary literal', noun)
    return { token: { kind: 'hex', bytes: hexBytes(text, q.value, i, noun), pos: i }, end: q.end }
  }
  if (c === "'") {
    const q = readQuoted(text, i, "'", 'string', noun)
    return { token: { kind: 'string', text: q.value, pos: i }, end: q.end }
  }
  if (c === '`' || c === '"') {
    const q = readQuoted(text, i, c, 'quoted name', noun)
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
  throw syntaxError(text, i, `unexpected character '${c}'`, noun)
}

/** Split a filter or expression into tokens (the last one is always `end`); errors name it as `noun`. */
export function tokenize(text: string, noun: SyntaxNoun = 'filter'): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++
      continue
    }
    const { token, end } = readToken(text, i, noun)
    out.push(token)
    i = end
  }
  out.push({ kind: 'end', pos: text.length })
  return out
}
