import type { TrimSide } from '../filter/parse-core.js'
import { castExpr, type Fail } from './coerce.js'
import { arity, call, type FunctionSpec } from './function-spec.js'
import type { SqlExpr } from './types.js'

/**
 * String functions beyond the case and substring ones: length, trimming and replace, on code
 * points as Spark counts characters (a character outside the BMP is one, not two UTF-16 units).
 */

function codePointCount(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    // A low surrogate after a high one completes the same character.
    if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) n++
  }
  return n
}

/** `length(x)`: characters of a string, bytes of a binary; other values as their text. */
export const LENGTH: FunctionSpec = {
  name: 'length',
  bind(args, fail) {
    arity('length', args, 1, 1, fail)
    const arg = args[0]!
    return call('length', [arg.type === 'binary' ? arg : castExpr(arg, 'string', fail)], 'integer')
  },
  apply: ([v]) => (v instanceof Uint8Array ? v.length : codePointCount(v as string)),
}

/** `s` without the characters of `chars` at the chosen ends. */
function trimChars(s: string, chars: string, leading: boolean, trailing: boolean): string {
  const set = new Set(Array.from(chars))
  const cps = Array.from(s)
  let from = 0
  let to = cps.length
  if (leading) while (from < to && set.has(cps[from]!)) from++
  if (trailing) while (to > from && set.has(cps[to - 1]!)) to--
  return cps.slice(from, to).join('')
}

type TrimName = 'trim' | 'ltrim' | 'rtrim'
const TRIM_NAMES: Record<TrimSide, TrimName> = { BOTH: 'trim', LEADING: 'ltrim', TRAILING: 'rtrim' }

/**
 * `trim(s)`, `ltrim(s)`, `rtrim(s)`: without spaces (U+0020 only, as Spark; tabs and newlines
 * stay). The two-argument call is refused: Spark versions read its arguments in opposite orders;
 * `TRIM(BOTH chars FROM s)` says which is which (see `bindTrim`).
 */
function trimSpec(name: TrimName, side: TrimSide): FunctionSpec {
  return {
    name,
    bind(args, fail) {
      if (args.length === 2) fail(`${name}(a, b) is read differently by Spark versions; write TRIM(${side} characters FROM string)`)
      arity(name, args, 1, 1, fail)
      return call(name, [castExpr(args[0]!, 'string', fail)], 'string')
    },
    apply: ([s, chars]) => trimChars(s as string, chars === undefined ? ' ' : (chars as string), side !== 'TRAILING', side !== 'LEADING'),
  }
}

export const TRIM_SPECS: FunctionSpec[] = [trimSpec('trim', 'BOTH'), trimSpec('ltrim', 'LEADING'), trimSpec('rtrim', 'TRAILING')]

/** `TRIM([side] [chars] FROM str)`: any of the characters of `chars` (default a space) at `side`. */
export function bindTrim(side: TrimSide, str: SqlExpr, chars: SqlExpr | undefined, fail: Fail): SqlExpr {
  const args = [castExpr(str, 'string', fail), ...(chars ? [castExpr(chars, 'string', fail)] : [])]
  return call(TRIM_NAMES[side], args, 'string')
}

/** `replace(s, search[, replacement])`: every occurrence; an empty `search` changes nothing, as Spark. */
export const REPLACE: FunctionSpec = {
  name: 'replace',
  bind(args, fail) {
    arity('replace', args, 2, 3, fail)
    return call('replace', args.map((a) => castExpr(a, 'string', fail)), 'string')
  },
  apply: ([s, search, replacement]) => {
    const text = s as string
    return search === '' ? text : text.split(search as string).join(replacement === undefined ? '' : (replacement as string))
  },
}
