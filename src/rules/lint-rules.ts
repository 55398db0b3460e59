/**
 * `mailroom rules lint`: finds rules that cannot do what their author meant, in a rule set that is
 * otherwise valid. The reasoning about conditions is in condition-logic.ts (sound, not complete: a
 * finding is always real; a problem the analysis cannot prove is not reported).
 *
 * Findings:
 * - `no_conditions` (warning): a message rule without `when` applies to every message.
 * - `never_matches` (warning): the rule's conditions contradict each other (`equals a` AND `equals b`
 *   on one field, `gt 5` AND `lt 3`, `exists: false` AND `contains x`...).
 * - `shadowed_by_stop` (warning): an earlier rule with `stop: true` matches every message this rule
 *   matches, so this rule never runs.
 * - `action_always_overridden` (warning): whenever this rule matches, a later rule also matches and sets
 *   the same action to another value, with no `stop` rule in between; the action never takes effect.
 * - `action_may_be_overridden` (info): two rules set the same action to different values and their
 *   conditions can both hold; the later one wins (by design, but worth knowing).
 * - `disabled` (info): the rule has `enabled: false`.
 */
import { disjoint, implies, neverHolds, normalForm } from './condition-logic.js';
import type { Dnf } from './condition-logic.js';
import type { CompiledRule, RuleSet, SingleValuedAction, SourceLocation } from './rule-types.js';
import { RULE_EVENTS, SINGLE_VALUED_ACTIONS } from './rule-types.js';

export type LintCode =
  | 'no_conditions' | 'never_matches' | 'shadowed_by_stop' | 'action_always_overridden' | 'action_may_be_overridden' | 'disabled';

export type LintFinding = SourceLocation & {
  code: LintCode;
  severity: 'warning' | 'info';
  rule: string;
  message: string;
  /** the other rule involved (the shadowing or overriding one) */
  related?: { rule: string; file: string; line: number };
};

export type LintRulesOptions = { ruleSet: RuleSet };

type Analysed = { rule: CompiledRule; dnf: Dnf; never: string | null };

const ref = (rule: CompiledRule): NonNullable<LintFinding['related']> =>
  ({ rule: rule.name, file: rule.location.file, line: rule.location.line });

const finding = (rule: CompiledRule, code: LintCode, severity: LintFinding['severity'], message: string, related?: CompiledRule): LintFinding => ({
  ...rule.location, code, severity, rule: rule.name, message, ...(related ? { related: ref(related) } : {}),
});

/** The value an action sets, comparable; null for actions that do not replace a value (`priority: raise`). */
const absoluteValue = (rule: CompiledRule, action: SingleValuedAction): unknown => {
  const value = rule.actions[action];
  if (value === undefined || (action === 'priority' && value === 'raise')) return undefined;
  return value;
};

const where = (rule: CompiledRule): string => `${rule.location.file}:${rule.location.line}`;

/** Lints one event's rules, in evaluation order. */
const lintEvent = (rules: readonly CompiledRule[]): LintFinding[] => {
  const findings: LintFinding[] = [];
  const analysed: Analysed[] = rules.map((rule) => {
    const dnf = normalForm(rule.condition);
    return { rule, dnf, never: neverHolds(dnf) };
  });

  for (const [i, { rule, never }] of analysed.entries()) {
    if (!rule.enabled) {
      findings.push(finding(rule, 'disabled', 'info', `rule "${rule.name}" is disabled (enabled: false)`));
      continue;
    }
    if (rule.condition === null && rule.event === 'message') {
      findings.push(finding(rule, 'no_conditions', 'warning', `rule "${rule.name}" has no when: it applies to every message`));
    }
    if (never) {
      findings.push(finding(rule, 'never_matches', 'warning', `rule "${rule.name}" can never match: ${never}`));
      continue;
    }
    const shadow = analysed.slice(0, i).find((earlier) => earlier.rule.enabled && earlier.rule.stop && !earlier.never && implies(analysed[i].dnf, earlier.dnf));
    if (shadow) {
      findings.push(finding(rule, 'shadowed_by_stop', 'warning',
        `rule "${rule.name}" never runs: "${shadow.rule.name}" (${where(shadow.rule)}) matches every message it matches and says stop`, shadow.rule));
    }
  }

  // Overrides: pairs of enabled, satisfiable rules that set the same single-valued action.
  const live = analysed.filter((a) => a.rule.enabled && !a.never);
  for (const [i, early] of live.entries()) {
    if (early.rule.stop) continue; // when it matches, nothing after it runs
    for (const action of SINGLE_VALUED_ACTIONS) {
      if (early.rule.actions[action] === undefined) continue;
      let stopBetween = false;
      for (const late of live.slice(i + 1)) {
        const value = absoluteValue(late.rule, action);
        const differs = value !== undefined && value !== early.rule.actions[action];
        if (differs) {
          const quoted = `${action}: ${JSON.stringify(early.rule.actions[action])}`;
          if (!stopBetween && implies(early.dnf, late.dnf)) {
            findings.push(finding(early.rule, 'action_always_overridden', 'warning',
              `${quoted} of rule "${early.rule.name}" never takes effect: "${late.rule.name}" (${where(late.rule)}) also matches whenever it does and sets ${action}: ${JSON.stringify(value)}`, late.rule));
            break;
          }
          if (!disjoint(early.dnf, late.dnf)) {
            findings.push(finding(early.rule, 'action_may_be_overridden', 'info',
              `${quoted} of rule "${early.rule.name}" is overridden by "${late.rule.name}" (${where(late.rule)}, ${action}: ${JSON.stringify(value)}) when both match`, late.rule));
          }
        }
        if (late.rule.stop) stopBetween = true;
      }
    }
  }
  return findings;
};

/**
 * Lints a compiled rule set. Findings are sorted by file and line; `warning`s are problems, `info`s
 * are interactions worth knowing.
 */
export const lintRules = ({ ruleSet }: LintRulesOptions): LintFinding[] => {
  const findings = RULE_EVENTS.flatMap((event) => lintEvent(ruleSet.byEvent[event]));
  return findings.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
};

/** `rules/10-routing.yaml:42:5 warning shadowed_by_stop: rule "x" never runs: ...` */
export const formatLintFinding = (f: LintFinding): string => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.code}: ${f.message}`;
