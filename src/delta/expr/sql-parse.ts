import { DeltaError, isDeltaError } from '../errors.js'
import type { RawLiteral } from './coerce.js'
import { tokenize, type Token } from './lexer.js'

/** The syntax tree of a SQL expression before columns are resolved and types inferred. */
export type RawSql =
  | { kind: 'column'; path: string[]; pos: number }
  | { kind: 'literal'; lit: RawLiteral; pos: number }
  | { kind: 'binary'; op: string; left: RawSql; right: RawSql; pos: number }
  | { kind: 'negate' | 'not'; arg: RawSql; pos: number }
  | { kind: 'isNull'; arg: RawSql; negated: boolean; pos: number }
  | { kind: 'in'; arg: RawSql; values: RawSql[]; negated: boolean; pos: number }
  | { kind: 'between'; arg: RawSql; low: RawSql; high: RawSql; negated: boolean; pos: number }
  | { kind: 'like'; arg: RawSql; pattern: RawSql; negated: boolean; pos: number }
  | { kind: 'call'; name: string; args: RawSql[]; pos: number }
  | { kind: 'cast'; arg: RawSql; typeName: string; pos: number }

const COMPARE = new Set(['=', '==', '!=', '<>', '<', '<=', '>', '>=', '<=>'])
const ADDITIVE = new Set(['+', '-', '||'])
const MULTIPLICATIVE = new Set(['*', '/', '%'])
const RESERVED = new Set(['AND', 'OR', 'NOT', 'IS', 'IN', 'BETWEEN', 'LIKE', 'AS'])
const TYPED_LITERALS: Record<string, 'date' | 'timestamp' | 'timestamp_ntz'> = { DATE: 'date', TIMESTAMP: 'timestamp', TIMESTAMP_NTZ: 'timestamp_ntz' }

/** An `InvalidArgument` pointing at a character of the expression. */
export function expressionError(text: string, pos: number, message: string): DeltaError {
  const near = pos >= text.length ? 'at the end of the expression' : `at position ${pos + 1} (near '${text.slice(pos, pos + 12)}')`
  return new DeltaError('InvalidArgument', `invalid expression: ${message} ${near}: ${text}`)
}

/**
 * Recursive descent with Spark's precedence: OR < AND < NOT < predicates (comparison, IS, IN,
 * BETWEEN, LIKE) < `+ - ||` < `* / %` < unary minus < primaries.
 */
class SqlParser {
  private i = 0
  constructor(private readonly text: string, private readonly tokens: Token[]) {}

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!
  }

  private next(): Token {
    const t = this.peek()
    if (this.i < this.tokens.length - 1) this.i++
    return t
  }

  private isKeyword(word: string, ahead = 0): boolean {
    const t = this.peek(ahead)
    return t.kind === 'ident' && !t.quoted && t.text.toUpperCase() === word
  }

  private isOp(op: string): boolean {
    const t = this.peek()
    return t.kind === 'op' && t.text === op
  }

  private fail(message: string, t: Token = this.peek()): DeltaError {
    const found = t.kind === 'end' ? 'the end of the expression' : `'${this.text.slice(t.pos, t.pos + 12).split(/\s/)[0]}'`
    return expressionError(this.text, t.pos, `${message}, found ${found}`)
  }

  private expectOp(op: string, what: string): void {
    if (!this.isOp(op)) throw this.fail(`expected ${what}`)
    this.next()
  }

  parseAll(): RawSql {
    if (this.peek().kind === 'end') throw expressionError(this.text, 0, 'the expression is empty')
    const e = this.parseOr()
    if (this.peek().kind !== 'end') throw this.fail('expected an operator or the end of the expression')
    return e
  }

  private parseOr(): RawSql {
    let left = this.parseAnd()
    while (this.isKeyword('OR')) {
      const pos = this.next().pos
      left = { kind: 'binary', op: 'OR', left, right: this.parseAnd(), pos }
    }
    return left
  }

  private parseAnd(): RawSql {
    let left = this.parseNot()
    while (this.isKeyword('AND')) {
      const pos = this.next().pos
      left = { kind: 'binary', op: 'AND', left, right: this.parseNot(), pos }
    }
    return left
  }

  private parseNot(): RawSql {
    if (this.isKeyword('NOT') || this.isOp('!')) {
      const pos = this.next().pos
      return { kind: 'not', arg: this.parseNot(), pos }
    }
    return this.parsePredicate()
  }

  private compareOp(): string | undefined {
    const t = this.peek()
    if (t.kind !== 'op') return undefined
    // The lexer knows no `<=>`: it arrives as `<=` directly followed by `>`.
    const n = this.peek(1)
    if (t.text === '<=' && n.kind === 'op' && n.text === '>' && n.pos === t.pos + 2) return '<=>'
    return COMPARE.has(t.text) ? t.text : undefined
  }

  private parsePredicate(): RawSql {
    const left = this.parseAdditive()
    const op = this.compareOp()
    if (op) {
      const pos = this.next().pos
      if (op === '<=>') this.next()
      return { kind: 'binary', op, left, right: this.parseAdditive(), pos }
    }
    const pos = this.peek().pos
    if (this.isKeyword('IS')) {
      this.next()
      const negated = this.isKeyword('NOT')
      if (negated) this.next()
      if (!this.isKeyword('NULL')) throw this.fail('expected NULL after IS')
      this.next()
      return { kind: 'isNull', arg: left, negated, pos }
    }
    const negated = this.isKeyword('NOT')
    if (negated) this.next()
    if (this.isKeyword('IN')) return this.parseIn(left, negated, pos)
    if (this.isKeyword('BETWEEN')) {
      this.next()
      const low = this.parseAdditive()
      if (!this.isKeyword('AND')) throw this.fail('expected AND in BETWEEN')
      this.next()
      return { kind: 'between', arg: left, low, high: this.parseAdditive(), negated, pos }
    }
    if (this.isKeyword('LIKE')) {
      this.next()
      return { kind: 'like', arg: left, pattern: this.parseAdditive(), negated, pos }
    }
    if (negated) throw this.fail('expected IN, BETWEEN or LIKE after NOT')
    return left
  }

  private parseIn(arg: RawSql, negated: boolean, pos: number): RawSql {
    this.next()
    this.expectOp('(', "'(' to open the IN list")
    const values: RawSql[] = []
    while (!this.isOp(')')) {
      if (values.length > 0) this.expectOp(',', "',' or ')' in the IN list")
      values.push(this.parseAdditive())
    }
    this.next()
    return { kind: 'in', arg, values, negated, pos }
  }

  private parseAdditive(): RawSql {
    let left = this.parseMultiplicative()
    for (let t = this.peek(); t.kind === 'op' && ADDITIVE.has(t.text); t = this.peek()) {
      this.next()
      left = { kind: 'binary', op: t.text, left, right: this.parseMultiplicative(), pos: t.pos }
    }
    return left
  }

  private parseMultiplicative(): RawSql {
    let left = this.parseUnary()
    for (let t = this.peek(); t.kind === 'op' && MULTIPLICATIVE.has(t.text); t = this.peek()) {
      this.next()
      left = { kind: 'binary', op: t.text, left, right: this.parseUnary(), pos: t.pos }
    }
    return left
  }

  private parseUnary(): RawSql {
    const t = this.peek()
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.next()
      const n = this.peek()
      // A signed number is one literal, so that -2147483648 is still an integer.
      if (n.kind === 'number') {
        this.next()
        return { kind: 'literal', lit: { form: 'number', text: t.text === '-' ? `-${n.text}` : n.text }, pos: t.pos }
      }
      const arg = this.parseUnary()
      return t.text === '-' ? { kind: 'negate', arg, pos: t.pos } : arg
    }
    return this.parsePrimary()
  }

  private parsePrimary(): RawSql {
    const t = this.next()
    switch (t.kind) {
      case 'number': return { kind: 'literal', lit: { form: 'number', text: t.text }, pos: t.pos }
      case 'string': return { kind: 'literal', lit: { form: 'string', text: t.text }, pos: t.pos }
      case 'hex': return { kind: 'literal', lit: { form: 'binary', bytes: t.bytes }, pos: t.pos }
      case 'ident': return t.quoted ? this.parseColumn(t) : this.parseWord(t)
      case 'op':
        if (t.text === '(') {
          const inner = this.parseOr()
          this.expectOp(')', "')' to close the parenthesis")
          return inner
        }
        throw this.fail('expected a column, a value or a function', t)
      case 'end': throw this.fail('expected a column, a value or a function', t)
    }
  }

  private parseWord(t: Token & { kind: 'ident' }): RawSql {
    const upper = t.text.toUpperCase()
    if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'literal', lit: { form: 'boolean', value: upper === 'TRUE' }, pos: t.pos }
    if (upper === 'NULL') return { kind: 'literal', lit: { form: 'null' }, pos: t.pos }
    const typed = TYPED_LITERALS[upper]
    const n = this.peek()
    if (typed && n.kind === 'string') {
      this.next()
      return { kind: 'literal', lit: { form: typed, text: n.text }, pos: t.pos }
    }
    if (upper === 'CAST' && this.isOp('(')) return this.parseCast(t.pos)
    if (this.isOp('(')) return this.parseCall(t)
    if (RESERVED.has(upper)) throw this.fail('expected a column, a value or a function', t)
    return this.parseColumn(t)
  }

  private parseCall(name: Token & { kind: 'ident' }): RawSql {
    this.next()
    const args: RawSql[] = []
    while (!this.isOp(')')) {
      if (args.length > 0) this.expectOp(',', `',' or ')' in the arguments of ${name.text}`)
      args.push(this.parseOr())
    }
    this.next()
    return { kind: 'call', name: name.text, args, pos: name.pos }
  }

  private parseCast(pos: number): RawSql {
    this.next()
    const arg = this.parseOr()
    if (!this.isKeyword('AS')) throw this.fail('expected AS in CAST(value AS type)')
    this.next()
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
    return { kind: 'cast', arg, typeName, pos }
  }

  private parseColumn(first: Token & { kind: 'ident' }): RawSql {
    const path = [first.text]
    while (this.isOp('.')) {
      this.next()
      const part = this.next()
      if (part.kind !== 'ident') throw this.fail("expected a field name after '.'", part)
      path.push(part.text)
    }
    return { kind: 'column', path, pos: first.pos }
  }
}

/** Parse SQL expression text into its syntax tree, without a schema. */
export function parseRawSql(text: string): RawSql {
  let tokens: Token[]
  try {
    tokens = tokenize(text)
  } catch (e) {
    // The lexer speaks of filters; here the text is an expression.
    if (isDeltaError(e, 'InvalidArgument')) throw new DeltaError('InvalidArgument', e.message.replace(/^invalid filter/, 'invalid expression'), { cause: e })
    throw e
  }
  return new SqlParser(text, tokens).parseAll()
}
