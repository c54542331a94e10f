import type { RulesIssue } from './types.js'

/** A ruleset that does not load: every problem found, each with its line and column. */
export class RulesetError extends Error {
  constructor(readonly issues: RulesIssue[]) {
    super(issues.map(formatIssue).join('\n'))
    this.name = 'RulesetError'
  }
}

export function formatIssue(issue: RulesIssue): string {
  return `${issue.message} at ${issue.line}:${issue.column}`
}

/**
 * An evaluation error of the rules language ("Null value error.", a type error...). It is a
 * value of the language rather than a bug, thrown to unwind to the nearest && or || that may
 * absorb it, so it does not extend Error: no stack trace is captured on this hot path.
 */
export class EvalError {
  constructor(readonly message: string) {}
}

/** Thrown by the lexer and parser at the first syntax error. */
export class SyntaxIssue {
  constructor(
    readonly message: string,
    readonly line: number,
    readonly column: number,
  ) {}
}
