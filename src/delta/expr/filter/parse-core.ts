import { DeltaError } from '../../engine/errors.js'
import type { RawLiteral } from './coerce.js'
import { syntaxError, type SyntaxNoun, type Token } from './lexer.js'
import { TokenCursor } from './token-cursor.js'

/**
 * How a grammar on {@link parseSyntax} makes its nodes: conditions `C` and values `V`. The core
 * owns the grammar (precedence, what is an error, every message); a builder only shapes the tree,
 * so filters and SQL expressions share one parser yet keep the trees their binders expect.
 */
export interface SyntaxBuilder<C, V> {
  /** How messages name the text: `invalid filter: ...` or `invalid expression: ...`. */
  readonly noun: SyntaxNoun
  /**
   * The nodes of computed values. Without them the grammar is the filter one: plain columns and
   * literals compared, parentheses around conditions only, and arithmetic or a function refused
   * by name as `UnsupportedFeature` (rather than a syntax error that would hide what is missing).
   */
  readonly computed?: ComputedBuilder<C, V>
  column(path: string[], pos: number): V
  literal(lit: RawLiteral, pos: number): V
  /** Two or more conditions joined by one keyword; `positions[i]` is the keyword before `args[i + 1]`. */
  junction(op: 'AND' | 'OR', args: C[], positions: number[]): C
  not(arg: C, pos: number): C
  /** A comparison; `op` as written (`==`, `<>`, and `<=>` when computed). */
  compare(op: string, left: V, right: V, pos: number): C
  isNull(arg: V, negated: boolean, pos: number): C
  in(arg: V, values: V[], negated: boolean, pos: number): C
  between(arg: V, low: V, high: V, negated: boolean, pos: number): C
  like(arg: V, pattern: V, negated: boolean, pos: number): C
  /** A value standing alone where a condition goes (`flag`, `TRUE`). */
  bare(arg: V): C
}

/** One `WHEN when THEN value` of a CASE; `pos` is its WHEN. */
export interface CaseBranch<V> {
  readonly when: V
  readonly value: V
  readonly pos: number
}

/** Which end(s) `TRIM(... FROM str)` trims. */
export type TrimSide = 'BOTH' | 'LEADING' | 'TRAILING'

/**
 * The nodes only SQL value expressions have; their presence also enables `!`, `<=>`, `CAST`,
 * `CASE` and `TRIM(... FROM ...)`.
 */
export interface ComputedBuilder<C, V> {
  /** Arithmetic and concatenation: `+ - * / % ||`. */
  binary(op: string, left: V, right: V, pos: number): V
  negate(arg: V, pos: number): V
  call(name: string, args: V[], pos: number): V
  cast(arg: V, typeName: string, pos: number): V
  /**
   * `CASE [operand] WHEN ... THEN ... [ELSE ...] END`: with an operand each WHEN is a value the
   * operand is compared with (simple CASE), without one a condition (searched CASE).
   */
  caseWhen(operand: V | undefined, branches: Array<CaseBranch<V>>, otherwise: V | undefined, pos: number): V
  /** `TRIM([BOTH | LEADING | TRAILING] [chars] FROM str)`; without `chars`, spaces. */
  trim(side: TrimSide, str: V, chars: V | undefined, pos: number): V
  /** A condition used as a value: in parentheses, as a function or CAST argument. */
  value(condition: C): V
}

/**
 * How deeply a filter or expression may nest: each parenthesis, NOT (or `!`), unary sign,
 * function call and CAST opens a level, and in SQL expressions so does each operator of an
 * arithmetic chain (`a + b + c` nests left to right). Deeper text is refused as
 * `InvalidArgument` before any recursion over it could run out of stack; no real condition comes
 * near it. A chain of AND or OR is one level however long.
 */
export const MAX_EXPRESSION_DEPTH = 256

const COMPARE = new Set(['=', '==', '!=', '<>', '<', '<=', '>', '>='])
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '||'])
const ADDITIVE = new Set(['+', '-', '||'])
const MULTIPLICATIVE = new Set(['*', '/', '%'])
const RESERVED = new Set(['AND', 'OR', 'NOT', 'IS', 'IN', 'BETWEEN', 'LIKE'])
// Keywords only inside a CASE, so that a column named `end` elsewhere keeps working.
const CASE_WORDS = new Set(['WHEN', 'THEN', 'ELSE', 'END'])
const TRIM_SIDES = new Set<string>(['BOTH', 'LEADING', 'TRAILING'])
const TYPED_LITERALS: Record<string, 'date' | 'timestamp' | 'timestamp_ntz'> = { DATE: 'date', TIMESTAMP: 'timestamp', TIMESTAMP_NTZ: 'timestamp_ntz' }

/**
 * Recursive descent with Spark's precedence: OR < AND < NOT < predicates (comparison, IS, IN,
 * BETWEEN, LIKE) < `+ - ||` < `* / %` < unary minus < primaries. Without computed values the
 * levels between predicates and primaries are refused instead of parsed.
 */
class SyntaxParser<C, V> extends TokenCursor {
  private readonly computed: ComputedBuilder<C, V> | undefined
  private depth = 0
  /** How many CASE expressions enclose the current token. */
  private caseDepth = 0

  constructor(text: string, private readonly b: SyntaxBuilder<C, V>) {
    super(text, b.noun)
    this.computed = b.computed
  }

  private unsupported(what: string): DeltaError {
    return new DeltaError('UnsupportedFeature', `${what}: ${this.text}`)
  }

  /** Parse one nested level with `parse`, refusing text nested deeper than the limit. */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_EXPRESSION_DEPTH) throw tooDeep(this.peek().pos, this.noun)
    const out = parse()
    this.depth--
    return out
  }

  private expectedValue(): string {
    return this.computed ? 'expected a column, a value or a function' : 'expected a column or a value'
  }

  parseAll(): C {
    const noun = this.noun
    if (this.peek().kind === 'end') {
      const hint = this.computed ? '' : '; expected a condition such as x > 1'
      throw syntaxError(this.text, 0, `the ${noun} is empty${hint}`, noun)
    }
    const e = this.parseOr()
    if (this.peek().kind !== 'end') throw this.fail(`expected ${this.computed ? 'an operator' : 'AND, OR'} or the end of the ${noun}`)
    return e
  }

  private parseOr(): C {
    return this.parseJunction('OR', () => this.parseAnd())
  }

  private parseAnd(): C {
    return this.parseJunction('AND', () => this.parseNot())
  }

  private parseJunction(op: 'AND' | 'OR', parseArg: () => C): C {
    const args = [parseArg()]
    const positions: number[] = []
    while (this.isKeyword(op)) {
      positions.push(this.next().pos)
      args.push(parseArg())
    }
    return args.length === 1 ? args[0]! : this.b.junction(op, args, positions)
  }

  private parseNot(): C {
    if (this.isKeyword('NOT') || (this.computed && this.isOp('!'))) {
      const pos = this.next().pos
      return this.b.not(this.nested(() => this.parseNot()), pos)
    }
    // Without computed values parentheses group conditions only; with them, any value (parsePrimary).
    if (!this.computed && this.isOp('(')) {
      this.next()
      const inner = this.nested(() => this.parseOr())
      this.expectOp(')', "')' to close the parenthesis")
      return inner
    }
    return this.parsePredicate()
  }

  private compareOp(): string | undefined {
    const t = this.peek()
    if (t.kind !== 'op') return undefined
    // The lexer knows no `<=>`: it arrives as `<=` directly followed by `>`.
    const n = this.peek(1)
    if (this.computed && t.text === '<=' && n.kind === 'op' && n.text === '>' && n.pos === t.pos + 2) return '<=>'
    return COMPARE.has(t.text) ? t.text : undefined
  }

  private parsePredicate(): C {
    const left = this.parseValue()
    const op = this.compareOp()
    if (op) {
      const pos = this.next().pos
      if (op === '<=>') this.next()
      return this.b.compare(op, left, this.parseValue(), pos)
    }
    const pos = this.peek().pos
    if (this.isKeyword('IS')) return this.parseIsNull(left, pos)
    const negated = this.isKeyword('NOT')
    if (negated) this.next()
    if (this.isKeyword('IN')) return this.parseIn(left, negated, pos)
    if (this.isKeyword('BETWEEN')) return this.parseBetween(left, negated, pos)
    if (this.isKeyword('LIKE')) {
      this.next()
      return this.b.like(left, this.parseValue(), negated, pos)
    }
    if (negated) throw this.fail('expected IN, BETWEEN or LIKE after NOT')
    // A filter's lone value must end its condition; an expression's may go on (a CAST's AS, a ',').
    if (!this.computed && !(this.peek().kind === 'end' || this.isKeyword('AND') || this.isKeyword('OR') || this.isOp(')'))) {
      throw this.fail('expected a comparison (=, !=, <, <=, >, >=), IS [NOT] NULL, IN, BETWEEN or LIKE')
    }
    return this.b.bare(left)
  }

  private parseIsNull(arg: V, pos: number): C {
    this.next()
    const negated = this.isKeyword('NOT')
    if (negated) this.next()
    this.expectKeyword('NULL', 'NULL after IS')
    return this.b.isNull(arg, negated, pos)
  }

  private parseIn(arg: V, negated: boolean, pos: number): C {
    this.next()
    this.expectOp('(', "'(' to open the IN list")
    const values: V[] = []
    while (!this.isOp(')')) {
      if (values.length > 0) this.expectOp(',', "',' or ')' in the IN list")
      values.push(this.parseValue())
    }
    this.next()
    return this.b.in(arg, values, negated, pos)
  }

  private parseBetween(arg: V, negated: boolean, pos: number): C {
    this.next()
    const low = this.parseValue()
    this.expectKeyword('AND', 'AND in BETWEEN')
    return this.b.between(arg, low, this.parseValue(), negated, pos)
  }

  private parseValue(): V {
    if (this.computed) return this.parseAdditive(this.computed)
    const value = this.parsePrimary()
    const t = this.peek()
    if (t.kind === 'op' && ARITHMETIC.has(t.text)) {
      throw this.unsupported(`arithmetic ('${t.text}' at position ${t.pos + 1}) is not supported in ${this.noun}s; compare a column with a literal value`)
    }
    return value
  }

  private parseAdditive(c: ComputedBuilder<C, V>): V {
    return this.parseBinary(ADDITIVE, () => this.parseMultiplicative(c), c)
  }

  private parseMultiplicative(c: ComputedBuilder<C, V>): V {
    return this.parseBinary(MULTIPLICATIVE, () => this.parseUnary(c), c)
  }

  private parseBinary(ops: ReadonlySet<string>, parseOperand: () => V, c: ComputedBuilder<C, V>): V {
    let left = parseOperand()
    for (let t = this.peek(); t.kind === 'op' && ops.has(t.text); t = this.peek()) {
      this.next()
      left = c.binary(t.text, left, parseOperand(), t.pos)
    }
    return left
  }

  private parseUnary(c: ComputedBuilder<C, V>): V {
    const t = this.peek()
    if (t.kind !== 'op' || (t.text !== '-' && t.text !== '+')) return this.parsePrimary()
    this.next()
    const signed = this.parseSignedNumber(t)
    if (signed) return signed
    const arg = this.nested(() => this.parseUnary(c))
    return t.text === '-' ? c.negate(arg, t.pos) : arg
  }

  /** After a consumed `-` or `+`: a number makes one literal, so that -2147483648 is still an integer. */
  private parseSignedNumber(sign: Token & { kind: 'op' }): V | undefined {
    const n = this.peek()
    if ((sign.text !== '-' && sign.text !== '+') || n.kind !== 'number') return undefined
    this.next()
    return this.b.literal({ form: 'number', text: sign.text === '-' ? `-${n.text}` : n.text }, sign.pos)
  }

  private parsePrimary(): V {
    const t = this.next()
    switch (t.kind) {
      case 'number': return this.b.literal({ form: 'number', text: t.text }, t.pos)
      case 'string': return this.b.literal({ form: 'string', text: t.text }, t.pos)
      case 'hex': return this.b.literal({ form: 'binary', bytes: t.bytes }, t.pos)
      case 'ident': return t.quoted ? this.parseColumn(t) : this.parseWord(t)
      case 'op': return this.parseOperatorValue(t)
      case 'end': throw this.fail(this.expectedValue(), t)
    }
  }

  /** A value that starts with an operator: a parenthesis (computed), else a sign or an error. */
  private parseOperatorValue(t: Token & { kind: 'op' }): V {
    if (this.computed) {
      if (t.text !== '(') throw this.fail(this.expectedValue(), t)
      const inner = this.nested(() => this.parseOr())
      this.expectOp(')', "')' to close the parenthesis")
      return this.computed.value(inner)
    }
    const signed = this.parseSignedNumber(t)
    if (signed) return signed
    if (ARITHMETIC.has(t.text)) throw this.unsupported(`arithmetic ('${t.text}' at position ${t.pos + 1}) is not supported in ${this.noun}s`)
    throw this.fail(this.expectedValue(), t)
  }

  private parseWord(t: Token & { kind: 'ident' }): V {
    const upper = t.text.toUpperCase()
    if (upper === 'TRUE' || upper === 'FALSE') return this.b.literal({ form: 'boolean', value: upper === 'TRUE' }, t.pos)
    if (upper === 'NULL') return this.b.literal({ form: 'null' }, t.pos)
    const typed = TYPED_LITERALS[upper]
    const n = this.peek()
    if (typed && n.kind === 'string') {
      this.next()
      return this.b.literal({ form: typed, text: n.text }, t.pos)
    }
    if (upper === 'CASE' && this.startsCase()) {
      if (!this.computed) throw this.unsupported(`CASE expressions are not supported in ${this.noun}s (position ${t.pos + 1}); compare a column with a literal value`)
      return this.parseCase(t.pos, this.computed)
    }
    if (this.computed && this.isOp('(')) return upper === 'CAST' ? this.parseCast(t.pos, this.computed) : this.parseCall(t, this.computed)
    if (this.caseDepth > 0 && CASE_WORDS.has(upper)) throw this.fail(`${this.expectedValue()} (a column named ${t.text} inside CASE needs backticks)`, t)
    // AS is a keyword only where CAST exists; a filter may name a column AS.
    if (RESERVED.has(upper) || (this.computed && upper === 'AS')) throw this.fail(this.expectedValue(), t)
    if (this.isOp('(')) {
      throw this.unsupported(`function '${t.text}' is not supported in ${this.noun}s (position ${t.pos + 1}); compare a column with a literal value`)
    }
    return this.parseColumn(t)
  }

  /**
   * After the word CASE: whether it opens a CASE expression rather than naming a column `case`
   * (`case = 1`, `case IS NULL`): it does when a value or WHEN follows.
   */
  private startsCase(): boolean {
    const n = this.peek()
    switch (n.kind) {
      case 'end': return false
      case 'op': return n.text === '(' || n.text === '-' || n.text === '+'
      case 'ident': return n.quoted || !RESERVED.has(n.text.toUpperCase()) || n.text.toUpperCase() === 'NOT'
      default: return true
    }
  }

  /** `CASE [operand] WHEN a THEN b ... [ELSE c] END`, the CASE word consumed; one nesting level. */
  private parseCase(pos: number, c: ComputedBuilder<C, V>): V {
    return this.nested(() => {
      this.caseDepth++
      const operand = this.isKeyword('WHEN') ? undefined : c.value(this.parseOr())
      if (!this.isKeyword('WHEN')) throw this.fail('expected WHEN in CASE')
      const branches: Array<CaseBranch<V>> = []
      while (this.isKeyword('WHEN')) {
        const at = this.next().pos
        const when = c.value(this.parseOr())
        this.expectKeyword('THEN', 'THEN after the WHEN of a CASE')
        branches.push({ when, value: c.value(this.parseOr()), pos: at })
      }
      let otherwise: V | undefined
      if (this.isKeyword('ELSE')) {
        this.next()
        otherwise = c.value(this.parseOr())
      }
      this.expectKeyword('END', 'WHEN, ELSE or END in CASE')
      this.caseDepth--
      return c.caseWhen(operand, branches, otherwise, pos)
    })
  }

  /**
   * Inside `TRIM(`: the SQL form `[BOTH | LEADING | TRAILING] [chars] FROM str` as a trim node,
   * else the first argument of an ordinary call (if it parsed one), for `parseCall` to go on.
   */
  private parseTrimFrom(name: Token & { kind: 'ident' }, c: ComputedBuilder<C, V>): { trimmed: V } | { first: V | undefined } {
    const endsArgument = (t: Token) => t.kind === 'op' && (t.text === ',' || t.text === ')')
    const head = this.peek()
    // `trim(both)` and `trim(from)` name columns; a side or FROM is a keyword only when more follows.
    const sided = head.kind === 'ident' && !head.quoted && TRIM_SIDES.has(head.text.toUpperCase()) && !endsArgument(this.peek(1))
    if (!sided && (!this.isKeyword('FROM') || endsArgument(this.peek(1)))) {
      if (this.isOp(')')) return { first: undefined }
      const first = c.value(this.nested(() => this.parseOr()))
      if (!this.isKeyword('FROM')) return { first }
      return { trimmed: this.parseTrimSource(name, 'BOTH', first, c) }
    }
    const side: TrimSide = head.kind === 'ident' && sided ? (head.text.toUpperCase() as TrimSide) : 'BOTH'
    if (sided) this.next()
    const chars = this.isKeyword('FROM') ? undefined : c.value(this.nested(() => this.parseOr()))
    return { trimmed: this.parseTrimSource(name, side, chars, c) }
  }

  /** `FROM str)` of a TRIM. */
  private parseTrimSource(name: Token & { kind: 'ident' }, side: TrimSide, chars: V | undefined, c: ComputedBuilder<C, V>): V {
    this.expectKeyword('FROM', `FROM in ${name.text}(${side} [characters] FROM string)`)
    const str = c.value(this.nested(() => this.parseOr()))
    this.expectOp(')', `')' to close ${name.text}`)
    return c.trim(side, str, chars, name.pos)
  }

  private parseCall(name: Token & { kind: 'ident' }, c: ComputedBuilder<C, V>): V {
    this.next()
    const args: V[] = []
    if (name.text.toUpperCase() === 'TRIM') {
      const parsed = this.parseTrimFrom(name, c)
      if ('trimmed' in parsed) return parsed.trimmed
      if (parsed.first !== undefined) args.push(parsed.first)
    }
    while (!this.isOp(')')) {
      if (args.length > 0) this.expectOp(',', `',' or ')' in the arguments of ${name.text}`)
      args.push(c.value(this.nested(() => this.parseOr())))
    }
    this.next()
    return c.call(name.text, args, name.pos)
  }

  private parseCast(pos: number, c: ComputedBuilder<C, V>): V {
    this.next()
    const arg = c.value(this.nested(() => this.parseOr()))
    this.expectKeyword('AS', 'AS in CAST(value AS type)')
    const start = this.peek()
    if (start.kind !== 'ident') throw this.fail('expected a type name after AS')
    this.next()
    let typeName = start.text.toLowerCase()
    if (this.isOp('(')) {
      const open = this.next().pos
      while (!this.isOp(')') && this.peek().kind !== 'end') this.next()
      this.expectOp(')', "')' to close the type parameters")
      typeName += this.text.slice(open, this.peek(-1).pos + 1).replace(/\s+/g, '')
    }
    this.expectOp(')', "')' to close CAST")
    return c.cast(arg, typeName, pos)
  }

  private parseColumn(first: Token & { kind: 'ident' }): V {
    const path = [first.text]
    while (this.isOp('.')) {
      this.next()
      const part = this.next()
      if (part.kind !== 'ident') throw this.fail("expected a field name after '.'", part)
      path.push(part.text)
    }
    return this.b.column(path, first.pos)
  }
}

/**
 * The error for text nested deeper than {@link MAX_EXPRESSION_DEPTH} levels, pointing at where
 * it went too deep (the text itself is left out: it is long).
 */
export function tooDeep(pos: number, noun: SyntaxNoun): DeltaError {
  return new DeltaError('InvalidArgument', `invalid ${noun}: nested more than ${MAX_EXPRESSION_DEPTH} levels deep at position ${pos + 1} (parentheses, NOT, signs, function calls or a chain of arithmetic); write it with fewer levels`)
}

/** Parse a filter or SQL expression into the tree `builder` makes; the grammar is described on {@link SyntaxBuilder}. */
export function parseSyntax<C, V>(text: string, builder: SyntaxBuilder<C, V>): C {
  return new SyntaxParser(text, builder).parseAll()
}
