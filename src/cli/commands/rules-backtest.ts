/**
 * `mailroom rules backtest --rules DIR [--since 30d | --limit N] [--json]`: replays stored inbound mail
 * through the rules of DIR with the same decision code intake uses, and reports what would change
 * (queue, priority, category, auto-reply, acknowledgement, tags, SLA policy), the old→new queue table
 * and sample messages. The database is opened read-only: a backtest cannot write.
 *
 * Exit codes: 0 done, 1 the rules are not valid or there is no database, 2 usage.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.js';
import { CHANGE_KINDS } from '../../rules/backtest-rules.js';
import path from 'node:path';
import { backtestInParallel, MAX_BACKTEST_WORKERS, type ParallelBacktestReport } from '../../rules/backtest-in-parallel.js';
import { MAX_BACKTEST_SAMPLES, parseSince } from '../../rules/backtest-stored-mail.js';
import { readRuleFiles } from '../../rules/candidate-rules.js';
import { compileRuleSet } from '../../rules/load-rules.js';
import { formatRuleError } from '../../rules/validate-rules.js';
import type { CliIo } from './rules.js';
import { openRulesCliContext } from './rules-context.js';

export const RULES_BACKTEST_USAGE = `usage: mailroom rules backtest --rules DIR [--since 30d | --limit N] [options]

  Replays stored inbound mail (newest first) through the rules in DIR and reports what would change.
  Reads the database read-only; writes nothing.

options:
  --rules DIR        the candidate rules directory (required)
  --since DURATION   only mail received in the last 30d, 12h, 2w, 90m...
  --limit N          at most N messages, newest first
  --samples N        sample messages per kind of change (default 5, at most ${MAX_BACKTEST_SAMPLES})
  --threads N        worker threads besides the main one for large backtests (default: cores - 1, at most ${MAX_BACKTEST_WORKERS})
  --queue NAME       a queue rules may route to, besides the database's (repeatable)
  --json             the report as JSON (the shape of POST /api/rules/backtest)
  --env-file FILE    load environment variables first
`;

const LABELS: Record<string, string> = {
  queue: 'queue', priority: 'priority', category: 'category', auto_reply: 'auto-reply', acknowledge: 'acknowledgement', tags: 'tags', sla: 'SLA policy',
};

const n = (value: number): string => value.toLocaleString('en-US');

const show = (value: unknown): string => (value === null || value === undefined ? '-' : Array.isArray(value) ? `[${value.join(', ')}]` : String(value));

/** The report as text. */
export const formatBacktestReport = (report: ParallelBacktestReport, dir: string, rules: number): string[] => {
  const lines: string[] = [];
  const scope = [report.since ? `since ${report.since}` : null, report.limit !== null ? `limit ${n(report.limit)}` : null].filter(Boolean).join(', ');
  lines.push(`backtest of ${dir} (version ${report.ruleSetVersion}, ${rules} rules) on ${n(report.total)} stored messages${scope ? ` (${scope})` : ''}` +
    `${report.window.oldest ? `, received ${report.window.oldest} … ${report.window.newest}` : ''}`);
  lines.push(`${report.seconds.toFixed(2)} s, ${n(Math.round(report.messagesPerSecond))} messages/s on ${report.threads} thread${report.threads === 1 ? '' : 's'}` +
    `${report.skipped ? `; ${n(report.skipped)} skipped (stored without their decision input)` : ''}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  lines.push(`would change: ${n(report.changed)} of ${n(report.total)} messages`);
  for (const kind of CHANGE_KINDS) lines.push(`  ${LABELS[kind].padEnd(16)} ${n(report.counts[kind]).padStart(8)}`);
  if (report.queueTable.length) {
    lines.push('queues (old → new):');
    const width = Math.max(...report.queueTable.map((r) => r.from.length));
    for (const row of report.queueTable) lines.push(`  ${row.from.padEnd(width)} → ${row.to.padEnd(width)} ${n(row.count).padStart(8)}${row.from === row.to ? '' : '  *'}`);
  }
  for (const kind of CHANGE_KINDS) {
    const samples = report.samples[kind];
    if (!samples.length) continue;
    lines.push(`samples, ${LABELS[kind]}:`);
    for (const s of samples) {
      lines.push(`  ticket ${s.ticketId ?? '-'} message ${s.messageId} ${JSON.stringify(s.subject)}: ${show(s.from)} → ${show(s.to)}${s.matched.length ? ` (rules: ${s.matched.join(', ')})` : ''}`);
    }
  }
  return lines;
};

export const runRulesBacktest = async (argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        rules: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        samples: { type: 'string', default: '5' },
        threads: { type: 'string' },
        queue: { type: 'string', multiple: true, default: [] },
        json: { type: 'boolean', default: false },
        'env-file': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`mailroom rules backtest: ${(error as Error).message}\n\n${RULES_BACKTEST_USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    io.out(RULES_BACKTEST_USAGE);
    return 0;
  }
  if (!values.rules) {
    io.err(`mailroom rules backtest: --rules DIR is required\n\n${RULES_BACKTEST_USAGE}`);
    return 2;
  }
  const now = new Date();
  const since = values.since !== undefined ? parseSince(values.since, now) : null;
  if (values.since !== undefined && !since) {
    io.err(`mailroom rules backtest: --since "${values.since}" is not a duration such as 30d, 12h or 2w`);
    return 2;
  }
  const limit = values.limit !== undefined ? Number(values.limit) : null;
  if (limit !== null && !(Number.isInteger(limit) && limit > 0)) {
    io.err('mailroom rules backtest: --limit must be a positive whole number');
    return 2;
  }
  const samples = Number(values.samples);
  if (!(Number.isInteger(samples) && samples >= 0 && samples <= MAX_BACKTEST_SAMPLES)) {
    io.err(`mailroom rules backtest: --samples must be a whole number from 0 to ${MAX_BACKTEST_SAMPLES}`);
    return 2;
  }
  const threads = values.threads !== undefined ? Number(values.threads) : null;
  if (threads !== null && !(Number.isInteger(threads) && threads >= 0 && threads <= MAX_BACKTEST_WORKERS)) {
    io.err(`mailroom rules backtest: --threads must be a whole number from 0 to ${MAX_BACKTEST_WORKERS}`);
    return 2;
  }
  if (values['env-file']) process.loadEnvFile(values['env-file']);

  const config = loadConfig(env);
  const ctx = await openRulesCliContext({ config, rulesDir: values.rules, extraQueues: values.queue, now, assignment: true, classifier: false });
  try {
    if (!values.json) for (const note of ctx.notes) io.err(note);
    if (!ctx.db) {
      io.err('mailroom rules backtest: there is no database yet, so no stored mail to replay');
      return 1;
    }
    const dir = values.rules;
    const read = await readRuleFiles(dir);
    const sources = read.files.map((f) => ({ file: path.join(dir, f.name), text: f.content }));
    const compiled = compileRuleSet({ sources, known: ctx.known });
    const loaded = read.errors.length ? { ok: false as const, errors: [...read.errors, ...(compiled.ok ? [] : compiled.errors)] } : compiled;
    if (!loaded.ok) {
      if (values.json) io.out(JSON.stringify({ ok: false, errors: loaded.errors }, null, 2));
      else for (const error of loaded.errors) io.out(formatRuleError(error));
      io.err(`${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'} in ${values.rules}: nothing was replayed`);
      return 1;
    }
    const report = await backtestInParallel({
      db: ctx.db, ruleSet: loaded.ruleSet, context: ctx.context, stages: ctx.stages, since, limit, sampleLimit: samples,
      threads: threads ?? undefined,
      workers: { dbFile: ctx.dbFile, sources, known: ctx.known, slaDir: ctx.slaDir, slaVersion: ctx.slaVersion, assignment: true },
    });
    if (values.json) {
      io.out(JSON.stringify({ candidate: { version: loaded.ruleSet.version, rules: loaded.ruleSet.rules.length, dir: values.rules }, report }, null, 2));
    } else {
      for (const line of formatBacktestReport(report, values.rules, loaded.ruleSet.rules.length)) io.out(line);
    }
    return 0;
  } finally {
    ctx.close();
  }
};
