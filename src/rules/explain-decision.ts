/**
 * Explains one message's decision from what was stored with it (`messages.decision`, see
 * src/decide/stored-decision.ts) or what `mailroom rules test` just decided: detection, thread match,
 * classifier top scores, every rule with each condition's actual value and result, the final decision,
 * why the assignee was chosen and which SLA policy applies, plus the plain-text summary lines.
 *
 * The shape is flat where the stored trace is recursive (a rule's condition tree becomes rows with a
 * depth), so a supervisor UI renders it as an indented table and the CLI prints it line by line
 * (`formatDecisionTrace`). Pure: a view over stored data, nothing is decided again.
 */
import type { StoredDecision } from '../decide/stored-decision.js';
import type { Decision, DetectionFlags } from '../decide/types.js';
import type { ActionTrace, ConditionResult, ConditionTrace, FieldValue, RuleTrace, RulesTrace } from './rule-types.js';

/** One node of a rule's condition, in tree order; `depth` 0 is the rule's top condition. */
export type ConditionRow = {
  depth: number;
  kind: 'all' | 'any' | 'not' | 'test';
  result: ConditionResult;
  field?: string;
  op?: string;
  expected?: unknown;
  /** what the message had (absent when the condition was not evaluated) */
  actual?: FieldValue;
  caseSensitive?: boolean;
  line?: number;
};

export type RuleExplanation = {
  rule: string;
  file: string;
  line: number;
  outcome: RuleTrace['outcome'];
  stop: boolean;
  conditions: ConditionRow[];
  actions: ActionTrace[];
};

export type ClassificationExplanation = {
  category: string | null;
  confidence: number;
  threshold: number | null;
  modelVersion: string | null;
  top: Array<{ category: string; probability: number }>;
};

export type AssignmentExplanation = {
  chosen: string | null;
  reason: string;
  queue: string | null;
  strategy: string | null;
  requiredSkill: string | null;
  considered: Array<{ agent: string; openAssigned: number; capacity: number | null; load: number }>;
  skipped: Array<{ agent: string; reason: string }>;
};

export type SlaExplanation = {
  policy: string | null;
  /** `rule`: a rule named it; `match`: its criteria matched; `default`: nothing else did */
  reason: string | null;
  summary: string | null;
  candidates: Array<{ policy: string; evaluated: boolean; matched: boolean; criteria: Array<{ field: string; expected: string[]; actual: string | null; ok: boolean }> }>;
};

export type ThreadExplanation = { ticketId: number | null; matchedBy: string | null; followUpOf: number | null; reasons: string[] };

/** Everything about one message's decision. */
export type DecisionExplanation = {
  messageId: number | null;
  ticketId: number | null;
  subject: string;
  from: string | null;
  receivedAt: string | null;
  detection: DetectionFlags | null;
  thread: ThreadExplanation | null;
  classification: ClassificationExplanation | null;
  rules: {
    ruleSetVersion: string;
    total: number;
    matched: string[];
    stoppedBy: string | null;
    detail: string;
    rules: RuleExplanation[];
  } | null;
  decision: Decision;
  assignment: AssignmentExplanation | null;
  sla: SlaExplanation | null;
  summary: string[];
};

/** A condition tree as rows, parents before children. */
export const conditionRows = (condition: ConditionTrace | null, depth = 0, rows: ConditionRow[] = []): ConditionRow[] => {
  if (condition === null) return rows;
  if (condition.kind === 'test') {
    const row: ConditionRow = { depth, kind: 'test', result: condition.result, field: condition.field, op: condition.op, expected: condition.expected, line: condition.line };
    if (condition.actual !== undefined) row.actual = condition.actual;
    if (condition.caseSensitive) row.caseSensitive = true;
    rows.push(row);
  } else if (condition.kind === 'not') {
    rows.push({ depth, kind: 'not', result: condition.result });
    conditionRows(condition.condition, depth + 1, rows);
  } else {
    rows.push({ depth, kind: condition.kind, result: condition.result });
    for (const child of condition.conditions) conditionRows(child, depth + 1, rows);
  }
  return rows;
};

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const explainRules = (trace: unknown): DecisionExplanation['rules'] => {
  if (!isObject(trace) || !Array.isArray(trace.rules)) return null;
  const rules = trace as unknown as RulesTrace;
  return {
    ruleSetVersion: rules.ruleSetVersion,
    total: rules.total,
    matched: rules.matched,
    stoppedBy: rules.stoppedBy,
    detail: rules.detail ?? 'full',
    rules: rules.rules.map((r) => ({
      rule: r.rule, file: r.file, line: r.line, outcome: r.outcome, stop: r.stop === true, conditions: conditionRows(r.condition), actions: r.actions ?? [],
    })),
  };
};

const explainAssignment = (trace: unknown, decision: Decision): AssignmentExplanation | null => {
  if (!isObject(trace)) return null;
  return {
    chosen: 'chosen' in trace ? str(trace.chosen) : decision.assignee,
    reason: str(trace.reason) ?? '',
    queue: str(trace.queue),
    strategy: str(trace.strategy),
    requiredSkill: str(trace.requiredSkill),
    considered: Array.isArray(trace.considered) ? trace.considered as AssignmentExplanation['considered'] : [],
    skipped: Array.isArray(trace.skipped) ? trace.skipped as AssignmentExplanation['skipped'] : [],
  };
};

const explainSla = (trace: unknown, decision: Decision): SlaExplanation | null => {
  if (!isObject(trace)) return null;
  return {
    policy: str(trace.chosen) ?? decision.slaPolicy,
    reason: str(trace.reason),
    summary: str(trace.summary),
    candidates: Array.isArray(trace.candidates) ? trace.candidates as SlaExplanation['candidates'] : [],
  };
};

export type ExplainDecisionOptions = {
  stored: Pick<StoredDecision, 'decision' | 'trace'> & Partial<Pick<StoredDecision, 'thread'>>;
  message: { id: number | null; ticketId: number | null; subject: string; from: string | null; receivedAt: Date | null; flags: DetectionFlags | null };
};

/** The explanation of one decision; see the header. */
export const explainDecision = ({ stored, message }: ExplainDecisionOptions): DecisionExplanation => {
  const { decision, trace } = stored;
  const c = trace.classification;
  return {
    messageId: message.id,
    ticketId: message.ticketId,
    subject: message.subject,
    from: message.from,
    receivedAt: message.receivedAt?.toISOString() ?? null,
    detection: message.flags,
    thread: stored.thread
      ? { ticketId: stored.thread.ticketId, matchedBy: stored.thread.matchedBy, followUpOf: stored.thread.followUpOf, reasons: stored.thread.reasons }
      : null,
    classification: c
      ? { category: c.category, confidence: c.confidence, threshold: c.threshold ?? null, modelVersion: c.modelVersion ?? null, top: c.top ?? [] }
      : null,
    rules: explainRules(trace.rules),
    decision,
    assignment: explainAssignment(trace.assignment, decision),
    sla: explainSla(trace.sla, decision),
    summary: trace.summary ?? [],
  };
};

// ---------------------------------------------------------------------------------------------
// Text

const show = (value: unknown): string => {
  if (value === undefined) return '-';
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
};

const resultWord = (result: ConditionResult): string => (result === 'not_evaluated' ? 'not evaluated' : String(result));

const OUTCOME_WORDS: Record<RuleTrace['outcome'], string> = {
  matched: 'MATCHED', not_matched: 'no match', not_evaluated: 'not evaluated (an earlier rule said stop)', disabled: 'disabled',
};

const describeAction = (a: ActionTrace): string => {
  const outcome = a.outcome === 'overridden' ? `overridden by ${a.by ?? '?'}` : a.outcome.replace('_', ' ');
  return `${a.action} ${typeof a.value === 'string' ? a.value : JSON.stringify(a.value)} (${outcome})`;
};

/** The explanation as lines of text, for `mailroom rules test` and logs. */
export const formatDecisionTrace = (e: DecisionExplanation, opts: { onlyMatched?: boolean } = {}): string[] => {
  const lines: string[] = [];
  const where = [e.ticketId !== null ? `ticket ${e.ticketId}` : null, e.messageId !== null ? `message ${e.messageId}` : null].filter(Boolean).join(', ');
  lines.push(`message: ${JSON.stringify(e.subject)} from ${e.from ?? 'unknown'}${e.receivedAt ? `, received ${e.receivedAt}` : ''}${where ? ` (${where})` : ''}`);
  if (e.detection?.signals.length) lines.push(`detected: ${e.detection.signals.join('; ')}`);
  if (e.thread) lines.push(`thread: ${e.thread.reasons.join('; ')}`);
  if (e.classification) {
    const c = e.classification;
    const top = c.top.map((t) => `${t.category} ${t.probability.toFixed(2)}`).join(', ');
    lines.push(`classifier: ${c.category ?? 'uncategorized'} ${c.confidence.toFixed(2)}${c.threshold !== null ? ` (threshold ${c.threshold})` : ''}${top ? `; top: ${top}` : ''}${c.modelVersion ? `; model ${c.modelVersion}` : ''}`);
  } else {
    lines.push('classifier: none (no model)');
  }
  if (e.rules) {
    const r = e.rules;
    lines.push(`rules ${r.ruleSetVersion}: ${r.matched.length} of ${r.total} matched${r.stoppedBy ? `, stopped by ${r.stoppedBy}` : ''}`);
    for (const rule of r.rules) {
      if (opts.onlyMatched && rule.outcome !== 'matched') continue;
      lines.push(`  ${rule.outcome === 'matched' ? '+' : '-'} ${rule.rule} (${rule.file}:${rule.line}): ${OUTCOME_WORDS[rule.outcome]}${rule.stop ? ', stop' : ''}`);
      for (const c of rule.conditions) {
        const pad = '      '.concat('  '.repeat(c.depth));
        if (c.kind !== 'test') lines.push(`${pad}${c.kind}: ${resultWord(c.result)}`);
        else {
          const actual = c.result === 'not_evaluated' ? '' : ` ; actual ${show(c.actual)}`;
          lines.push(`${pad}${c.field} ${c.op} ${show(c.expected)}${c.caseSensitive ? ' (case-sensitive)' : ''}${actual} → ${resultWord(c.result)}`);
        }
      }
      if (rule.actions.length) lines.push(`      then: ${rule.actions.map(describeAction).join(', ')}`);
    }
  }
  const d = e.decision;
  lines.push(`decision: queue ${d.queue}, priority ${d.priority}, category ${d.category ?? '-'}, tags [${d.tags.join(', ')}], skill ${d.skill ?? '-'}, ` +
    `assignee ${d.assignee ?? '-'}, SLA ${d.slaPolicy ?? '-'}, auto-reply ${d.autoReplyTemplate ?? '-'}, acknowledge ${d.acknowledge === null ? 'mailbox default' : d.acknowledge}` +
    `${d.webhooks.length ? `, webhooks ${d.webhooks.map((w) => w.url).join(' ')}` : ''}`);
  if (e.assignment) {
    const a = e.assignment;
    const skipped = a.skipped.length ? `; skipped ${a.skipped.map((s) => `${s.agent} (${s.reason})`).join(', ')}` : '';
    lines.push(`assignment: ${a.chosen ?? 'none'}${a.strategy ? ` by ${a.strategy}` : ''}${a.queue ? ` in ${a.queue}` : ''}: ${a.reason}${skipped}`);
  }
  if (e.sla) lines.push(`sla: ${e.sla.summary ?? e.sla.policy ?? '-'}`);
  lines.push('summary:');
  for (const line of e.summary) lines.push(`  ${line}`);
  return lines;
};
