import { check, type CompiledMatch } from './checker.js'
import { RulesetError, SyntaxIssue } from './errors.js'
import { parse } from './parser.js'
import type { RulesIssue } from './types.js'

/** A loaded ruleset: parsed and checked once, evaluated on every request. */
export class Ruleset {
  /** Use loadRuleset. */
  constructor(
    readonly version: 1 | 2,
    /** Every match block, flattened, in pre-order (a block before the blocks nested in it). */
    readonly matches: readonly CompiledMatch[],
    /** Problems that do not stop loading. */
    readonly warnings: readonly RulesIssue[],
  ) {}
}

/** Parses and checks a ruleset; throws RulesetError listing every problem with line and column. */
export function loadRuleset(source: string): Ruleset {
  let ast
  try {
    ast = parse(source)
  } catch (err) {
    if (err instanceof SyntaxIssue) throw new RulesetError([{ line: err.line, column: err.column, message: err.message, severity: 'ERROR' }])
    throw err
  }
  const { matches, issues } = check(ast)
  issues.sort((a, b) => a.line - b.line || a.column - b.column)
  if (issues.some((issue) => issue.severity === 'ERROR')) throw new RulesetError(issues.filter((issue) => issue.severity === 'ERROR'))
  return new Ruleset(ast.version, matches, issues)
}
