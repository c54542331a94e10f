/**
 * Firestore security rules: `loadRuleset` parses and checks a ruleset once, `evaluate`
 * decides a request against it. Pure: documents are read through RulesDataAccess.
 */
export { loadRuleset, Ruleset } from './ruleset.js'
export { evaluate, MAX_CALL_DEPTH } from './evaluator.js'
export { RulesetError } from './errors.js'
export type {
  EvaluateOptions,
  RulesAuth,
  RulesDataAccess,
  RulesDecision,
  RulesIssue,
  RulesMethod,
  RulesRequest,
  RulesResourceDoc,
} from './types.js'
