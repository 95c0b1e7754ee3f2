import { RULES, type Finding, type RuleId } from '../../shared/record';

/** A finding with the rule's severity from RULES, so no check can pick its own. */
export function finding(rule: RuleId, message: string, cells: string[]): Finding {
  return { rule, severity: RULES[rule], message, cells };
}
