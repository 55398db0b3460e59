/**
 * Backtest through the database path: `npx tsx bench/rules-backtest-db.ts [--messages 100000] [--rules 200]`.
 *
 * 1. Builds a temporary Mailroom database (migrations, default queues) holding N stored inbound
 *    messages as intake stores them: ticket, customer, message row with its text, headers, flags and
 *    `decision` = { decision, full trace, thread, input facts } made by a 10-rule live set through
 *    `decide` with the SLA and assignment stages. Inserted in one transaction with prepared statements.
 * 2. Checks the path first: the live rules replayed on their own history change nothing.
 * 3. In a fresh child process each (so peak RSS is the backtest's own), on a read-only connection: the
 *    backtest with the candidate set (default 200 rules) over every stored message — keyset batches,
 *    rebuildDecisionInput, the same `decide` with the SLA stage and the pure assignment stage — first
 *    on one thread, then on the default number of threads (`backtestInParallel`, as the API and the CLI
 *    run it); prints messages/s, wall and CPU seconds (target: under 10 s for 100,000 messages), peak RSS.
 *
 * Wall time depends on what else the machine runs: the load average is printed. `--db FILE` runs only
 * step 3 on an existing file (that is what the children do); `--threads N` sets the worker threads
 * besides the main one; `--keep` keeps the temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../src/db/connection.js';
import { decide, type DecideStages } from '../src/decide/decide.js';
import { storedInputFacts } from '../src/decide/stored-decision.js';
import { createAssignmentStage } from '../src/routing/assignment-stage.js';
import { loadRoutingSnapshot, seedRouting } from '../src/routing/routing-store.js';
import { backtestInParallel, defaultBacktestWorkers } from '../src/rules/backtest-in-parallel.js';
import { backtestStoredMail } from '../src/rules/backtest-stored-mail.js';
import { openDatabaseReadOnly } from '../src/rules/read-only-database.js';
import { BUILTIN_SLA_CONFIG, BUILTIN_SLA_VERSION, slaDecisionStages } from '../src/sla/live-sla-config.js';
import { fmt } from './lib/shared-data.js';
import { compile, context, KNOWN, makeInput } from './rules-data.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    rules: { type: 'string', default: '200' },
    db: { type: 'string' },
    keep: { type: 'boolean', default: false },
    threads: { type: 'string', default: String(defaultBacktestWorkers()) },
  },
});
const MESSAGES = Number(args.messages);
const CANDIDATE_RULES = Number(args.rules);
const LIVE_RULES = 10;

const stagesFor = (db: Db): DecideStages => ({ ...slaDecisionStages(BUILTIN_SLA_CONFIG), assign: createAssignmentStage(loadRoutingSnapshot(db)) });

/** Step 1: the stored history. */
const buildDatabase = async (file: string): Promise<{ seconds: number }> => {
  const db = openDatabase(file);
  const now = new Date(Date.UTC(2025, 6, 1));
  seedRouting(db, { queues: [], agents: [] }, now);
  const live = compile(LIVE_RULES).ruleSet;
  const stages = stagesFor(db);
  const sqlite = db.$client;
  const insertCustomer = sqlite.prepare('insert into customers (email, name, domain, tier, tags, created_at) values (?, ?, ?, ?, ?, ?) returning id');
  const insertTicket = sqlite.prepare(`insert into tickets (subject, subject_key, status, customer_id, channel, mailbox, queue, category, priority, tags, assignee,
    message_count, created_at, updated_at) values (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) returning id`);
  const insertMessage = sqlite.prepare(`insert into messages (ticket_id, direction, message_id, from_address, from_name, "to", cc, subject, text, visible_text,
    flags, headers, category, confidence, decision, created_at) values (?, 'inbound', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const customerIds = new Map<string, number>();
  const started = performance.now();
  sqlite.transaction(() => {
    for (let i = 0; i < MESSAGES; i += 1) {
      const input = makeInput(i);
      const { decision, trace } = decide({ input, ruleSet: live, context, stages });
      const m = input.message;
      const at = m.receivedAt.getTime();
      let customerId = customerIds.get(input.customer.email);
      if (customerId === undefined) {
        const c = input.customer;
        customerId = (insertCustomer.get(c.email, c.name, c.domain, c.tier, JSON.stringify(c.tags), at) as { id: number }).id;
        customerIds.set(c.email, customerId);
      }
      const ticketId = (insertTicket.get(m.subject, m.subject.toLowerCase(), customerId, m.channel, m.mailbox, decision.queue, decision.category,
        decision.priority, JSON.stringify(decision.tags), decision.assignee, at, at) as { id: number }).id;
      const thread = { ticketId: null, matchedBy: null, followUpOf: null, reasons: ['new conversation'] };
      insertMessage.run(ticketId, m.messageId, m.from?.address ?? null, m.from?.name ?? null, JSON.stringify(m.to), JSON.stringify(m.cc), m.subject, m.text,
        m.visibleText, JSON.stringify(m.flags), JSON.stringify(m.headers), input.classification?.category ?? null, input.classification?.confidence ?? null,
        JSON.stringify({ decision, trace, thread, input: storedInputFacts(input) }), at);
    }
  })();
  const seconds = (performance.now() - started) / 1000;
  sqlite.pragma('wal_checkpoint(TRUNCATE)');

  // Step 2: the path is sound: the live rules on their own history change nothing.
  const check = await backtestStoredMail({ db, ruleSet: live, context, stages, limit: 2000 });
  if (check.changed !== 0 || check.total !== Math.min(2000, MESSAGES)) throw new Error(`the live rules changed ${check.changed} of their own ${check.total} decisions`);
  db.$client.close();
  return { seconds };
};

/** Step 3, in the child process. */
const runBacktest = async (file: string, threads: number): Promise<void> => {
  const db = openDatabaseReadOnly(file)!;
  const { ruleSet: candidate, source } = compile(CANDIDATE_RULES);
  const rssBefore = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  const started = performance.now();
  // Workers load sla.yaml from a directory: the database's has none, so they get the built-in configuration, as here.
  const report = await backtestInParallel({
    db, ruleSet: candidate, context, stages: stagesFor(db), sampleLimit: 5, threads,
    workers: { dbFile: file, sources: [source], known: KNOWN, slaDir: path.dirname(file), slaVersion: BUILTIN_SLA_VERSION, assignment: true },
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(`backtest of ${fmt(report.total, 0)} stored messages with ${candidate.rules.length} rules (database path, ${report.threads} thread${report.threads === 1 ? '' : 's'}): ` +
    `${fmt(seconds, 2)} s wall, ${fmt((used.user + used.system) / 1e6, 2)} s CPU, ${fmt(report.total / seconds / 1000, 1)}k msg/s (target < 10 s)`);
  for (const note of report.notes) console.log(`  ${note}`);
  console.log(`  changed ${fmt(report.changed, 0)}: queue ${report.counts.queue}, priority ${report.counts.priority}, category ${report.counts.category}, ` +
    `auto-reply ${report.counts.auto_reply}, tags ${report.counts.tags}, sla ${report.counts.sla}; ${report.queueTable.length} old→new queue pairs; skipped ${report.skipped}`);
  console.log(`  peak RSS of the backtest process: ${fmt(process.resourceUsage().maxRSS / 1024, 0)} MB (${fmt(rssBefore / 1024 / 1024, 0)} MB before it started)`);
  db.$client.close();
};

const main = async (): Promise<void> => {
  if (args.db) {
    await runBacktest(args.db, Number(args.threads));
    return;
  }
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}; ` +
    `${fmt(MESSAGES, 0)} stored messages, live set ${LIVE_RULES} rules, candidate ${CANDIDATE_RULES} rules`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mailroom-bench-backtest-'));
  const file = path.join(dir, 'mailroom.db');
  try {
    const built = await buildDatabase(file);
    console.log(`stored ${fmt(MESSAGES, 0)} messages (decided with the full trace, as intake stores them) in ${fmt(built.seconds, 1)} s, one transaction; ` +
      `database ${fmt(statSync(file).size / 1024 / 1024, 0)} MB; live rules replayed on their own history: no change`);
    const script = fileURLToPath(import.meta.url);
    // One thread, then the default parallel backtest, each in a fresh process, side by side.
    for (const threads of [0, Number(args.threads)]) {
      const child = spawnSync(process.execPath, [...process.execArgv, script, '--db', file, '--rules', String(CANDIDATE_RULES), '--threads', String(threads)], { stdio: 'inherit' });
      if (child.status !== 0) throw new Error(`the backtest process failed (${child.status ?? child.signal})`);
    }
  } finally {
    if (args.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
};

await main();
