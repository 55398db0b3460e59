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
 * Rules and messages come from bench/rules-data.ts (fixed seed); the run prints how many rules match a
 * message on average. The backtest here reads records from memory; bench/rules-backtest-db.ts times
 * the same backtest through the database path (stored rows, batches, JSON).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decide } from '../src/decide/decide.js';
import type { Decision, DecisionInput } from '../src/decide/types.js';
import { backtestRules } from '../src/rules/backtest-rules.js';
import type { BacktestRecord } from '../src/rules/backtest-rules.js';
import { lintRules } from '../src/rules/lint-rules.js';
import type { RuleSet, TraceDetail } from '../src/rules/rule-types.js';
import { fmt, percentile } from './lib/shared-data.js';
import { compile, context, makeInput } from './rules-data.js';

const { values: args } = parseArgs({
  options: { messages: { type: 'string', default: '20000' }, backtest: { type: 'string', default: '100000' } },
});
const MESSAGES = Number(args.messages);
const BACKTEST = Number(args.backtest);

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
