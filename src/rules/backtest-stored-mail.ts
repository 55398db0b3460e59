/**
 * Backtest over stored mail (`POST /api/rules/backtest`, `mailroom rules backtest`): read stored inbound
 * messages newest first, put each back into the exact DecisionInput it was decided with
 * (`rebuildDecisionInput`), decide it again with the candidate rule set through the same `decide`
 * (backtest-rules.ts), and report what would change.
 *
 * Reading: keyset batches of BACKTEST_BATCH_SIZE rows through one prepared statement, so memory stays
 * flat however much mail is stored. Only the stored decision and input are taken out of the
 * `messages.decision` JSON (by SQLite), not the whole trace: a full trace is most of that column.
 * It only SELECTs; the CLI even runs it on a read-only connection.
 *
 * Rows without a stored input (filed before inputs were stored) are counted as `skipped`.
 */
import { performance } from 'node:perf_hooks';
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { messages } from '../db/schema/index.js';
import type { DecideStages } from '../decide/decide.js';
import { rebuildDecisionInput } from '../decide/stored-decision.js';
import type { Decision } from '../decide/types.js';
import { createBacktest, type BacktestReport } from './backtest-rules.js';
import type { RuleContext, RuleSet } from './rule-types.js';

/** Rows read per batch. */
export const BACKTEST_BATCH_SIZE = 1000;
/** Most sample messages a report may keep per kind of change. */
export const MAX_BACKTEST_SAMPLES = 50;

const SINCE_PATTERN = /^(\d{1,6})(m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `30d`, `12h`, `2w`, `90m` before `now`; null when the text is not such a duration. Calendar time, not business time. */
export const parseSince = (text: string, now: Date): Date | null => {
  const match = SINCE_PATTERN.exec(text.trim());
  if (!match || Number(match[1]) === 0) return null;
  return new Date(now.getTime() - Number(match[1]) * UNIT_MS[match[2]]);
};

export type BacktestStoredMailOptions = {
  db: Db;
  ruleSet: RuleSet;
  context: RuleContext;
  /** the live SLA policy stage, and an assignment stage built from a snapshot (it must not write) */
  stages?: DecideStages;
  /** only messages received at or after this instant */
  since?: Date | null;
  /** at most this many messages, newest first */
  limit?: number | null;
  sampleLimit?: number;
  batchSize?: number;
  /** awaited between batches: the server yields to its event loop so it keeps answering */
  betweenBatches?: () => Promise<void>;
};

export type StoredMailBacktestReport = BacktestReport & {
  since: string | null;
  limit: number | null;
  /** messages with no stored input, not replayed */
  skipped: number;
  /** received times of the oldest and newest message replayed */
  window: { oldest: string | null; newest: string | null };
  seconds: number;
  messagesPerSecond: number;
};

const batchQueries = new WeakMap<Db, ReturnType<typeof prepareBatchQuery>>();

const prepareBatchQuery = (db: Db) => db.select({
  id: messages.id,
  ticketId: messages.ticketId,
  messageId: messages.messageId,
  fromAddress: messages.fromAddress,
  fromName: messages.fromName,
  to: messages.to,
  cc: messages.cc,
  subject: messages.subject,
  text: messages.text,
  visibleText: messages.visibleText,
  headers: messages.headers,
  flags: messages.flags,
  createdAt: messages.createdAt,
  storedDecision: sql<string | null>`${messages.decision} -> '$.decision'`,
  storedInput: sql<string | null>`${messages.decision} -> '$.input'`,
}).from(messages)
  .where(and(
    sql`${messages.id} < ${sql.placeholder('before')}`,
    eq(messages.direction, 'inbound'),
    isNotNull(messages.decision),
    sql`${messages.createdAt} >= ${sql.placeholder('since')}`,
  ))
  .orderBy(desc(messages.id))
  .limit(sql.placeholder('batch'))
  .prepare();

/** Replays stored inbound mail through the candidate rule set; see the header. */
export const backtestStoredMail = async (opts: BacktestStoredMailOptions): Promise<StoredMailBacktestReport> => {
  const { db, since = null, limit = null } = opts;
  const batchSize = opts.batchSize ?? BACKTEST_BATCH_SIZE;
  const sampleLimit = Math.min(opts.sampleLimit ?? 5, MAX_BACKTEST_SAMPLES);
  let query = batchQueries.get(db);
  if (!query) batchQueries.set(db, (query = prepareBatchQuery(db)));

  const started = performance.now();
  const backtest = createBacktest({ ruleSet: opts.ruleSet, context: opts.context, stages: opts.stages, sampleLimit });
  let before = Number.MAX_SAFE_INTEGER;
  let replayed = 0;
  let skipped = 0;
  let oldest: Date | null = null;
  let newest: Date | null = null;
  const sinceMs = since?.getTime() ?? 0;

  outer: for (;;) {
    const rows = query.all({ before, since: sinceMs, batch: batchSize });
    for (const row of rows) {
      if (limit !== null && replayed >= limit) break outer;
      const current = row.storedDecision ? (JSON.parse(row.storedDecision) as Decision) : null;
      const stored = row.storedInput ? { input: JSON.parse(row.storedInput) as unknown } : null;
      const input = current && stored ? rebuildDecisionInput({ ...row, decision: stored as Record<string, unknown> }) : null;
      if (!current || !input) {
        skipped += 1;
        continue;
      }
      backtest.add({ messageId: row.id, ticketId: row.ticketId, input, current });
      replayed += 1;
      if (newest === null || row.createdAt > newest) newest = row.createdAt;
      if (oldest === null || row.createdAt < oldest) oldest = row.createdAt;
    }
    if (rows.length < batchSize) break;
    before = rows[rows.length - 1].id;
    await opts.betweenBatches?.();
  }

  const seconds = (performance.now() - started) / 1000;
  return {
    ...backtest.report(),
    since: since?.toISOString() ?? null,
    limit,
    skipped,
    window: { oldest: oldest?.toISOString() ?? null, newest: newest?.toISOString() ?? null },
    seconds,
    messagesPerSecond: seconds > 0 ? replayed / seconds : 0,
  };
};
