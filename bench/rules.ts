/**
 * Rule engine benchmark: `npx tsx bench/rules.ts [--messages N] [--backtest N]`.
 *
 * Prints, side by side in one run:
 * - compile time of generated rule sets (10, 200, 500 rules) and lint time;
 * - per-message `decide` time (p50, p99, mean) with 10 and 500 rules, with the full trace (what intake
 *   stores) and without per-rule entries (what a backtest builds);
 * - the time to backtest 100,000 synthetic stored messages with 200 rules (target: under 10 s);
 * - peak RSS of the process.
 * Wall time depends on what else the machine runs: the load average is printed, and the backtest also
 * reports the CPU time it used.
 *
 * Rules and messages are generated from a fixed seed, so runs are comparable. Rules mix the operators
 * and fields real rule sets use (contains over subject and body, domain equals, tier, tags, category,
 * numbers, a regular expression in about one rule in ten, nested any/all/not); each condition holds
 * for a few percent of messages, and the run prints how many rules match a message on average.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decide } from '../src/decide/decide.js';
import type { Decision, DecisionInput } from '../src/decide/types.js';
import { backtestRules } from '../src/rules/backtest-rules.js';
import type { BacktestRecord } from '../src/rules/backtest-rules.js';
import { lintRules } from '../src/rules/lint-rules.js';
import { compileRuleSet } from '../src/rules/load-rules.js';
import type { RuleContext, RuleSet, TraceDetail } from '../src/rules/rule-types.js';
import { fmt, percentile } from './lib/shared-data.js';

const { values: args } = parseArgs({
  options: { messages: { type: 'string', default: '20000' }, backtest: { type: 'string', default: '100000' } },
});
const MESSAGES = Number(args.messages);
const BACKTEST = Number(args.backtest);

/** mulberry32: a small seeded generator, so every run sees the same rules and messages. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const random = rng(42);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

const WORDS = ['invoice', 'refund', 'password', 'login', 'error', 'crash', 'urgent', 'order', 'delivery', 'cancel', 'upgrade', 'billing',
  'account', 'payment', 'shipping', 'return', 'broken', 'slow', 'timeout', 'export', 'import', 'api', 'webhook', 'license', 'invoice copy',
  'vat', 'receipt', 'discount', 'coupon', 'trial', 'subscription', 'renewal', 'downgrade', 'bug', 'feature', 'question', 'help'];
const DOMAINS = ['example.com', 'acme.test', 'globex.test', 'initech.test', 'umbrella.test', 'hooli.test', 'gmail.test', 'outlook.test'];
const TIERS = [null, null, null, 'gold', 'silver', 'vip'];
const TAGS = ['beta', 'enterprise', 'partner', 'churn-risk', 'vip', 'reseller'];
const CATEGORIES = ['billing', 'technical', 'account', 'shipping', 'sales', null];
const QUEUES = ['triage', 'billing', 'technical', 'accounts', 'vip'];
const PRIORITY = ['low', 'normal', 'high', 'urgent', 'raise'];

/** One condition; each holds for roughly 2–15% of the generated messages, as in real rule sets. */
const condition = (): string => {
  switch (Math.floor(random() * 10)) {
    case 0: return `{ subject: { contains: [${pick(WORDS)}, ${pick(WORDS)}] } }`;
    case 1: return `{ visible_text: { contains: ${pick(WORDS)} } }`;
    case 2: return `{ from.domain: ${pick(DOMAINS)} }`;
    case 3: return `{ all: [ { customer.tier: { in: [gold, vip] } }, { customer.open_tickets: { gte: 3 } } ] }`;
    case 4: return `{ customer.tags: { contains: ${pick(TAGS)} } }`;
    case 5: return `{ classification.category: ${pick(CATEGORIES.filter(Boolean) as string[])}, classification.confidence: { gte: 0.8 } }`;
    case 6: return `{ customer.open_tickets: { gte: 5 } }`;
    case 7: return `{ subject: { matches: '\\b(${pick(WORDS)}|${pick(WORDS)})s?\\b' } }`;
    case 8: return `{ flags.bulk: true }`;
    default: return `{ attachments.names: { ends_with: .pdf }, not: { from.domain: ${pick(DOMAINS)} } }`;
  }
};

const ruleYaml = (i: number): string => {
  const shape = random();
  const when = shape < 0.4 ? condition()
    : shape < 0.7 ? `{ all: [${condition()}, ${condition()}] }`
      : shape < 0.9 ? `{ any: [${condition()}, ${condition()}, ${condition()}] }`
        : `{ all: [${condition()}, { any: [${condition()}, ${condition()}] }] }`;
  const actions = [`queue: ${pick(QUEUES)}`];
  if (random() < 0.5) actions.push(`priority: ${pick(PRIORITY)}`);
  if (random() < 0.5) actions.push(`tags: [t${i % 40}]`);
  if (random() < 0.3) actions.push(`category: ${pick(CATEGORIES.filter(Boolean) as string[])}`);
  return `  - name: rule-${i}\n    when: ${when}\n    then: { ${actions.join(', ')} }\n`;
};

const generateRules = (count: number): string => `rules:\n${Array.from({ length: count }, (_, i) => ruleYaml(i)).join('')}`;

const KNOWN = { queues: QUEUES, templates: [], policies: [] };

const compile = (count: number): { ruleSet: RuleSet; ms: number } => {
  const text = generateRules(count);
  const started = performance.now();
  const result = compileRuleSet({ sources: [{ file: `bench/${count}.yaml`, text }], known: KNOWN });
  const ms = performance.now() - started;
  if (!result.ok) throw new Error(result.errors.slice(0, 5).map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return { ruleSet: result.ruleSet, ms };
};

// A pool of bodies shared between messages, as stored mail repeats itself.
const BODIES = Array.from({ length: 500 }, () =>
  Array.from({ length: 80 + Math.floor(random() * 120) }, () => (random() < 0.01 ? pick(WORDS) : pick(['the', 'a', 'we', 'please', 'since', 'yesterday', 'my', 'your', 'with', 'is', 'not', 'thanks']))).join(' '));

const EPOCH = Date.UTC(2025, 0, 6, 8, 0, 0);
const makeInput = (i: number): DecisionInput => {
  const domain = pick(DOMAINS);
  const body = pick(BODIES);
  const received = new Date(EPOCH + i * 37_000);
  const category = pick(CATEGORIES);
  return {
    message: {
      channel: pick(['webhook', 'form', 'imap', 'imap'] as const),
      mailbox: 'support',
      messageId: `m${i}@bench`,
      from: { name: 'Customer', address: `c${i % 5000}@${domain}` },
      to: [{ name: 'Support', address: 'support@acme.test' }],
      cc: [],
      subject: `${pick(WORDS)} ${pick(WORDS)} #${i}`,
      text: `${body}\n\n> quoted ${pick(BODIES).slice(0, 200)}`,
      visibleText: body,
      headers: { 'message-id': [`<m${i}@bench>`] },
      attachments: random() < 0.2 ? [{ filename: 'file.pdf', contentType: 'application/pdf', size: 1000 }] : [],
      flags: { autoReply: random() < 0.03, bounce: false, loop: false, bulk: random() < 0.05, signals: [] },
      receivedAt: received,
    },
    customer: { email: `c${i % 5000}@${domain}`, domain, name: null, tier: pick(TIERS), tags: random() < 0.3 ? [pick(TAGS)] : [], openTickets: Math.floor(random() * 6) },
    ticket: { isNew: true, id: null, status: null, queue: null, priority: null, category: null },
    classification: category ? { category, confidence: 0.5 + random() / 2, top: [], modelVersion: 'bench', threshold: 0.5 } : null,
    now: received,
  };
};

const context: RuleContext = {
  timeZone: 'Europe/Berlin',
  isBusinessTime: (at) => {
    const day = at.getUTCDay();
    const hour = at.getUTCHours();
    return day >= 1 && day <= 5 && hour >= 8 && hour < 16;
  },
};

const perMessage = (ruleSet: RuleSet, inputs: DecisionInput[], traceDetail: TraceDetail): { p50: number; p99: number; mean: number } => {
  for (let i = 0; i < Math.min(2000, inputs.length); i += 1) decide({ input: inputs[i], ruleSet, context, traceDetail });
  const times: number[] = [];
  for (const input of inputs) {
    const started = performance.now();
    decide({ input, ruleSet, context, traceDetail });
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50) * 1000, p99: percentile(sorted, 99) * 1000, mean: (times.reduce((a, b) => a + b, 0) / times.length) * 1000 };
};

const main = (): void => {
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}; ${MESSAGES} messages per timing, backtest of ${BACKTEST}`);
  const sets = new Map([10, 200, 500].map((n) => [n, compile(n)]));
  for (const [n, { ms }] of sets) console.log(`compile ${String(n).padStart(3)} rules: ${fmt(ms, 1)} ms`);
  for (const n of [10, 500]) {
    const started = performance.now();
    const findings = lintRules({ ruleSet: sets.get(n)!.ruleSet });
    console.log(`lint    ${String(n).padStart(3)} rules: ${fmt(performance.now() - started, 1)} ms (${findings.filter((f) => f.severity === 'warning').length} warnings, ${findings.length} findings)`);
  }

  const inputs = Array.from({ length: MESSAGES }, (_, i) => makeInput(i));
  for (const n of [10, 500]) {
    const { ruleSet } = sets.get(n)!;
    const sample = inputs.slice(0, 1000);
    const matched = sample.reduce((sum, input) => sum + decide({ input, ruleSet, context, traceDetail: 'none' }).trace.rules.matched.length, 0) / sample.length;
    for (const detail of ['full', 'none'] as const) {
      const { p50, p99, mean } = perMessage(ruleSet, inputs, detail);
      console.log(`decide with ${String(n).padStart(3)} rules, ${detail === 'full' ? 'full trace' : 'no rule trace'}: p50 ${fmt(p50, 1)} µs, p99 ${fmt(p99, 1)} µs, mean ${fmt(mean, 1)} µs (${fmt(matched, 1)} rules match a message on average)`);
    }
  }

  // Stored history: inputs plus the decision the 10-rule "live" set made for them (not timed).
  const live = sets.get(10)!.ruleSet;
  const records: BacktestRecord[] = Array.from({ length: BACKTEST }, (_, i) => {
    const input = makeInput(i);
    const current: Decision = decide({ input, ruleSet: live, context }).decision;
    return { messageId: i + 1, ticketId: i + 1, input, current };
  });
  const candidate = sets.get(200)!.ruleSet;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = backtestRules({ records, ruleSet: candidate, context, sampleLimit: 5 });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(`backtest ${report.total} messages with 200 rules: ${fmt(seconds, 2)} s wall, ${fmt(cpuSeconds, 2)} s CPU (${fmt(report.total / seconds / 1000, 1)}k msg/s; target < 10 s) — ` +
    `changed ${report.changed}: queue ${report.counts.queue}, priority ${report.counts.priority}, category ${report.counts.category}, auto-reply ${report.counts.auto_reply}`);
  console.log(`peak RSS: ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MB`);
};

main();
