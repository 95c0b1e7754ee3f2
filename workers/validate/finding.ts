import { RULES, type Bilingual, type Finding, type RuleId } from '../../shared/record';

/** A finding with the rule's severity from RULES, so no check can pick its own; its message in Chinese and English. */
export function finding(rule: RuleId, message: Bilingual, cells: string[]): Finding {
  return { rule, severity: RULES[rule], message: message.zh, messageEn: message.en, cells };
}
