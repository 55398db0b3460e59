/**
 * Backtest: replay stored messages through a candidate rule set with the same `decide` the live
 * intake uses, and report what would change: how many messages change queue, priority, category,
 * auto-reply, acknowledgement, tags or SLA policy; an old→new queue table; sample messages for each kind
 * of change.
 *
 * Pure and streaming: records come from any iterable (the DB layer passes a cursor), or one at a time
 * through `createBacktest` (for async sources, or to yield between batches). Nothing is written anywhere.
 * Shadow mode is the same comparison on one message: `compareDecisions`. Stored mail is read by
 * backtest-stored-mail.ts.
 *
 * Only the parts rules decide are compared (the SLA policy follows from them). The assignee is not
 * compared: it depends on agent load at the time. The candidate run gets no assignment or SLA stage
 * unless the caller passes them; pass the SLA stage whenever the stored decisions were made with one.
 */
import { decide } from '../decide/decide.js';
import type { DecideStages, DecideTrace, DecisionDefaults } from '../decide/decide.js';
import type { Decision, DecisionInput } from '../decide/types.js';
import type { RuleContext, RuleSet, TraceDetail } from './rule-types.js';

/** One stored message: what it looked like to the decision stages, and what was decided then. */
export type BacktestRecord = {
  messageId: number | string;
  ticketId: number | string | null;
  input: DecisionInput;
  current: Decision;
  /** the mailbox's / form's default queue at the time, if any */
  defaults?: DecisionDefaults;
};

export type ChangeKind = 'queue' | 'priority' | 'category' | 'auto_reply' | 'acknowledge' | 'tags' | 'sla';
export const CHANGE_KINDS: readonly ChangeKind[] = ['queue', 'priority', 'category', 'auto_reply', 'acknowledge', 'tags', 'sla'];

export type DecisionChange = { kind: ChangeKind; from: unknown; to: unknown };

export type BacktestSample = {
  messageId: number | string;
  ticketId: number | string | null;
  subject: string;
  from: unknown;
  to: unknown;
  /** the rules the candidate set matched for this message */
  matched: string[];
};

export type BacktestReport = {
  ruleSetVersion: string;
  /** messages replayed */
  total: number;
  /** messages with at least one change */
  changed: number;
  counts: Record<ChangeKind, number>;
  /** every (old queue, new queue) pair seen, unchanged ones included, most frequent first */
  queueTable: Array<{ from: string; to: string; count: number }>;
  samples: Record<ChangeKind, BacktestSample[]>;
};

const sameTags = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((t) => set.has(t));
};

/** What differs between the decision that was made and the candidate's, in the parts rules decide. */
export const diffDecisions = (current: Decision, candidate: Decision): DecisionChange[] => {
  const changes: DecisionChange[] = [];
  if (current.queue !== candidate.queue) changes.push({ kind: 'queue', from: current.queue, to: candidate.queue });
  if (current.priority !== candidate.priority) changes.push({ kind: 'priority', from: current.priority, to: candidate.priority });
  if (current.category !== candidate.category) changes.push({ kind: 'category', from: current.category, to: candidate.category });
  if (current.autoReplyTemplate !== candidate.autoReplyTemplate) changes.push({ kind: 'auto_reply', from: current.autoReplyTemplate, to: candidate.autoReplyTemplate });
  if (current.acknowledge !== candidate.acknowledge) changes.push({ kind: 'acknowledge', from: current.acknowledge, to: candidate.acknowledge });
  if (!sameTags(current.tags, candidate.tags)) changes.push({ kind: 'tags', from: current.tags, to: candidate.tags });
  if (current.slaPolicy !== candidate.slaPolicy) changes.push({ kind: 'sla', from: current.slaPolicy, to: candidate.slaPolicy });
  return changes;
};

export type CompareDecisionsOptions = {
  record: BacktestRecord;
  ruleSet: RuleSet;
  context: RuleContext;
  stages?: DecideStages;
  /** default `full` (shadow mode stores it); backtests use `none` */
  traceDetail?: TraceDetail;
};

/**
 * Shadow mode for one message: decide with the candidate rules and list what differs from the decision
 * that was made. An empty `changes` means the candidate agrees.
 */
export const compareDecisions = ({ record, ruleSet, context, stages, traceDetail }: CompareDecisionsOptions): {
  decision: Decision; trace: DecideTrace; changes: DecisionChange[];
} => {
  const { decision, trace } = decide({ input: record.input, ruleSet, context, defaults: record.defaults, stages, traceDetail });
  return { decision, trace, changes: diffDecisions(record.current, decision) };
};

export type BacktestOptions = {
  ruleSet: RuleSet;
  context: RuleContext;
  /** sample messages kept per kind of change; default 5 */
  sampleLimit?: number;
  stages?: DecideStages;
};

export type Backtest = {
  add: (record: BacktestRecord) => DecisionChange[];
  report: () => BacktestReport;
};

const emptyCounts = (): Record<ChangeKind, number> =>
  Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;

const byName = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** Most frequent pair first, then by name: the order every report uses. */
const sortQueueTable = (rows: BacktestReport['queueTable']): BacktestReport['queueTable'] =>
  rows.sort((a, b) => b.count - a.count || byName(a.from, b.from) || byName(a.to, b.to));

/** An accumulating backtest: `add` each record, then `report`. */
export const createBacktest = ({ ruleSet, context, sampleLimit = 5, stages }: BacktestOptions): Backtest => {
  let total = 0;
  let changed = 0;
  const counts = emptyCounts();
  const samples = Object.fromEntries(CHANGE_KINDS.map((k) => [k, [] as BacktestSample[]])) as Record<ChangeKind, BacktestSample[]>;
  const queuePairs = new Map<string, { from: string; to: string; count: number }>();

  return {
    add(record) {
      // Samples need only the names of the matched rules: same decisions, no per-rule trace to build.
      const { decision, trace, changes } = compareDecisions({ record, ruleSet, context, stages, traceDetail: 'none' });
      total += 1;
      if (changes.length > 0) changed += 1;
      const key = `${record.current.queue}\0${decision.queue}`;
      const pair = queuePairs.get(key);
      if (pair) pair.count += 1;
      else queuePairs.set(key, { from: record.current.queue, to: decision.queue, count: 1 });
      for (const change of changes) {
        counts[change.kind] += 1;
        const list = samples[change.kind];
        if (list.length < sampleLimit) {
          list.push({
            messageId: record.messageId,
            ticketId: record.ticketId,
            subject: record.input.message.subject.slice(0, 120),
            from: change.from,
            to: change.to,
            matched: trace.rules.matched,
          });
        }
      }
      return changes;
    },
    report() {
      const queueTable = sortQueueTable([...queuePairs.values()]);
      return {
        ruleSetVersion: ruleSet.version,
        total,
        changed,
        counts: { ...counts },
        queueTable: queueTable.map((row) => ({ ...row })),
        samples: Object.fromEntries(CHANGE_KINDS.map((k) => [k, [...samples[k]]])) as Record<ChangeKind, BacktestSample[]>,
      };
    },
  };
};

export type BacktestRulesOptions = BacktestOptions & { records: Iterable<BacktestRecord> };

/** Replays every record through the candidate rule set and reports the differences. */
export const backtestRules = ({ records, ...options }: BacktestRulesOptions): BacktestReport => {
  const backtest = createBacktest(options);
  for (const record of records) backtest.add(record);
  return backtest.report();
};

/**
 * One report from the reports of consecutive parts of the same replay, given in replay order: the
 * same report one backtest over all of it would give (counts add up, queue pairs merge, samples are
 * the first `sampleLimit` in replay order). Parallel backtests (backtest-in-parallel.ts) rely on it.
 */
export const mergeBacktestReports = (reports: readonly BacktestReport[], { ruleSetVersion, sampleLimit }: { ruleSetVersion: string; sampleLimit: number }): BacktestReport => {
  const counts = emptyCounts();
  const pairs = new Map<string, { from: string; to: string; count: number }>();
  const samples = Object.fromEntries(CHANGE_KINDS.map((k) => [k, [] as BacktestSample[]])) as Record<ChangeKind, BacktestSample[]>;
  let total = 0;
  let changed = 0;
  for (const report of reports) {
    if (report.ruleSetVersion !== ruleSetVersion) throw new Error(`cannot merge a report of rules ${report.ruleSetVersion} into one of ${ruleSetVersion}`);
    total += report.total;
    changed += report.changed;
    for (const kind of CHANGE_KINDS) {
      counts[kind] += report.counts[kind];
      for (const sample of report.samples[kind]) if (samples[kind].length < sampleLimit) samples[kind].push(sample);
    }
    for (const row of report.queueTable) {
      const key = `${row.from}\0${row.to}`;
      const pair = pairs.get(key);
      if (pair) pair.count += row.count;
      else pairs.set(key, { ...row });
    }
  }
  return { ruleSetVersion, total, changed, counts, queueTable: sortQueueTable([...pairs.values()]), samples };
};
