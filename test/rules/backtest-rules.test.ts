import { describe, expect, it } from 'vitest';
import { decide } from '../../src/decide/decide.js';
import { backtestRules, compareDecisions, createBacktest, diffDecisions } from '../../src/rules/backtest-rules.js';
import type { BacktestRecord } from '../../src/rules/backtest-rules.js';
import { context, makeDecision, makeInput, rulesFrom } from './fixtures.js';

const LIVE = `rules:
  - name: invoices
    when: { subject: { contains: invoice } }
    then: { queue: billing }
`;

const CANDIDATE = `rules:
  - name: invoices
    when: { subject: { contains: [invoice, refund] } }
    then: { queue: billing, category: billing }
  - name: urgent
    when: { subject: { contains: urgent } }
    then: { priority: high }
  - name: password
    when: { subject: { contains: password } }
    then: { queue: accounts, auto_reply: password-reset }
`;

const SUBJECTS = [
  'Invoice 1', 'Invoice 2', 'Refund please', 'Refund now', 'Refund URGENT', 'Urgent question', 'Password lost', 'Hello', 'Hello again', 'Invoice urgent',
];

/** Stored messages, each with the decision the live rules made for it. */
const history = (): BacktestRecord[] => {
  const live = rulesFrom(LIVE, 'rules/live.yaml');
  return SUBJECTS.map((subject, i) => {
    const input = makeInput({ message: { subject } });
    return { messageId: i + 1, ticketId: 100 + i, input, current: decide({ input, ruleSet: live, context }).decision };
  });
};

describe('backtestRules', () => {
  it('counts what would change, builds the queue table and keeps samples', () => {
    const report = backtestRules({ records: history(), ruleSet: rulesFrom(CANDIDATE, 'rules/candidate.yaml'), context, sampleLimit: 2 });
    expect(report.total).toBe(10);
    // Refund ×3 → billing; Password → accounts
    expect(report.counts.queue).toBe(4);
    // Refund URGENT, Urgent question, Invoice urgent
    expect(report.counts.priority).toBe(3);
    // Invoice ×3 + Refund ×3 get category billing
    expect(report.counts.category).toBe(6);
    expect(report.counts.auto_reply).toBe(1);
    expect(report.counts.acknowledge).toBe(0);
    expect(report.changed).toBe(8);
    expect(report.queueTable).toEqual([
      { from: 'billing', to: 'billing', count: 3 },
      { from: 'triage', to: 'billing', count: 3 },
      { from: 'triage', to: 'triage', count: 3 },
      { from: 'triage', to: 'accounts', count: 1 },
    ]);
    expect(report.samples.queue).toEqual([
      { messageId: 3, ticketId: 102, subject: 'Refund please', from: 'triage', to: 'billing', matched: ['invoices'] },
      { messageId: 4, ticketId: 103, subject: 'Refund now', from: 'triage', to: 'billing', matched: ['invoices'] },
    ]);
    expect(report.samples.auto_reply).toEqual([
      { messageId: 7, ticketId: 106, subject: 'Password lost', from: null, to: 'password-reset', matched: ['password'] },
    ]);
    expect(report.ruleSetVersion).toBe(rulesFrom(CANDIDATE, 'rules/candidate.yaml').version);
  });

  it('the live rules replayed on their own history change nothing', () => {
    const report = backtestRules({ records: history(), ruleSet: rulesFrom(LIVE, 'rules/live.yaml'), context });
    expect(report.changed).toBe(0);
    expect(Object.values(report.counts).every((n) => n === 0)).toBe(true);
  });

  it('accepts any iterable, and the accumulating form gives the same report', () => {
    const ruleSet = rulesFrom(CANDIDATE);
    const records = history();
    function* stream() { yield* records; }
    const fromGenerator = backtestRules({ records: stream(), ruleSet, context });
    const backtest = createBacktest({ ruleSet, context });
    for (const record of records) backtest.add(record);
    expect(backtest.report()).toEqual(fromGenerator);
  });
});

describe('shadow comparison of one message', () => {
  it('lists the differences, or none', () => {
    const [record] = history().filter((r) => r.input.message.subject === 'Refund URGENT');
    const { changes, trace } = compareDecisions({ record, ruleSet: rulesFrom(CANDIDATE), context });
    expect(changes).toEqual([
      { kind: 'queue', from: 'triage', to: 'billing' },
      { kind: 'priority', from: 'normal', to: 'high' },
      { kind: 'category', from: null, to: 'billing' },
    ]);
    expect(trace.rules.matched).toEqual(['invoices', 'urgent']);
  });

  it('tags compare as sets', () => {
    expect(diffDecisions(makeDecision({ tags: ['a', 'b'] }), makeDecision({ tags: ['b', 'a'] }))).toEqual([]);
    expect(diffDecisions(makeDecision({ tags: ['a'] }), makeDecision({ tags: ['a', 'b'] }))).toEqual([{ kind: 'tags', from: ['a'], to: ['a', 'b'] }]);
  });
});
