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
  /** only the newest this many stored messages (those without a stored input count, as `skipped`) */
  limit?: number | null;
  sampleLimit?: number;
  batchSize?: number;
  /** awaited between batches: the server yields to its event loop so it keeps answering */
  betweenBatches?: () => Promise<void>;
  /** only messages with ids in this range, both ends included (a chunk of a parallel backtest; `limit` is then not applied) */
  range?: BacktestRange;
};

/** Message ids, both included. */
export type BacktestRange = { newestId: number; oldestId: number };

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
  // One JSON parse per row in SQLite: `[decision, input]` (the -> operator would parse the column twice).
  stored: sql<string | null>`json_extract(${messages.decision}, '$.decision', '$.input')`,
}).from(messages)
  .where(and(
    sql`${messages.id} < ${sql.placeholder('before')}`,
    sql`${messages.id} >= ${sql.placeholder('from')}`,
    eq(messages.direction, 'inbound'),
    isNotNull(messages.decision),
    sql`${messages.createdAt} >= ${sql.placeholder('since')}`,
  ))
  .orderBy(desc(messages.id))
  .limit(sql.placeholder('batch'))
  .prepare();

/** Replays stored inbound mail through the candidate rule set; see the header. */
export const backtestStoredMail = async (opts: BacktestStoredMailOptions): Promise<StoredMailBacktestReport> => {
  const { db, since = null, range } = opts;
  const limit = range ? null : opts.limit ?? null;
  const batchSize = opts.batchSize ?? BACKTEST_BATCH_SIZE;
  const sampleLimit = Math.min(opts.sampleLimit ?? 5, MAX_BACKTEST_SAMPLES);
  let query = batchQueries.get(db);
  if (!query) batchQueries.set(db, (query = prepareBatchQuery(db)));

  const started = performance.now();
  const backtest = createBacktest({ ruleSet: opts.ruleSet, context: opts.context, stages: opts.stages, sampleLimit });
  let before = range ? range.newestId + 1 : Number.MAX_SAFE_INTEGER;
  const from = range?.oldestId ?? 0;
  let replayed = 0;
  let skipped = 0;
  let oldest: Date | null = null;
  let newest: Date | null = null;
  const sinceMs = since?.getTime() ?? 0;

  outer: for (;;) {
    const rows = query.all({ before, from, since: sinceMs, batch: batchSize });
    for (const row of rows) {
      if (limit !== null && replayed + skipped >= limit) break outer;
      const [current, storedInput] = row.stored ? (JSON.parse(row.stored) as [Decision | null, unknown]) : [null, null];
      const input = current && storedInput ? rebuildDecisionInput({ ...row, decision: { input: storedInput } }) : null;
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
    limit: opts.limit ?? null,
    skipped,
    window: { oldest: oldest?.toISOString() ?? null, newest: newest?.toISOString() ?? null },
    seconds,
    messagesPerSecond: seconds > 0 ? replayed / seconds : 0,
  };
};

const idQueries = new WeakMap<Db, ReturnType<typeof prepareIdQuery>>();

const prepareIdQuery = (db: Db) => db.select({ id: messages.id }).from(messages)
  .where(and(eq(messages.direction, 'inbound'), isNotNull(messages.decision), sql`${messages.createdAt} >= ${sql.placeholder('since')}`))
  .orderBy(desc(messages.id))
  .limit(sql.placeholder('limit'))
  .prepare();

/**
 * The messages a backtest replays (newest first, `since` and `limit` applied), cut into ranges of about
 * `chunkSize` messages, newest range first: the units of a parallel backtest. Reads ids only.
 */
export const planBacktestChunks = ({ db, since = null, limit = null, chunkSize }: { db: Db; since?: Date | null; limit?: number | null; chunkSize: number }):
  { total: number; chunks: BacktestRange[] } => {
  let query = idQueries.get(db);
  if (!query) idQueries.set(db, (query = prepareIdQuery(db)));
  const ids = query.all({ since: since?.getTime() ?? 0, limit: limit ?? -1 }).map((r) => r.id);
  const chunks: BacktestRange[] = [];
  for (let i = 0; i < ids.length; i += chunkSize) chunks.push({ newestId: ids[i], oldestId: ids[Math.min(i + chunkSize, ids.length) - 1] });
  return { total: ids.length, chunks };
};
