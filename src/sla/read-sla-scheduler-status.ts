/**
 * The SLA scheduler's /health section: is the configuration loaded, how many timers are pending, when
 * did one last fire, and — the number that matters — how many timers are overdue and not fired (their
 * instant passed more than OVERDUE_GRACE_MS ago). Not ok when that is above zero or sla.yaml was refused.
 */
import { count, isNotNull, lte, min } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { ticketSla } from '../db/schema/index.js';
import type { QueueDriver } from '../queue/queue-driver.js';
import type { LiveSlaState } from './live-sla-config.js';
import { OVERDUE_GRACE_MS, slaTimerJob } from './sla-jobs.js';
import { latenessSummary, type SlaSchedulerStats } from './sla-scheduler-stats.js';

export type SlaSchedulerStatus = {
  ok: boolean;
  detail: string;
  config: { source: string; version: string | null; loadedAt: Date | null; errors: string[] };
  /** timer jobs waiting in the queue (delayed or ready), stale ones included */
  timersPending: number | null;
  /** tickets whose row has a timer (a running clock with a warning or breach ahead) */
  ticketsWithTimer: number;
  nextTimerAt: Date | null;
  overdueNotFired: number;
  oldestOverdueAt: Date | null;
  lastFireAt: Date | null;
  lastRecordedAt: Date | null;
  fires: number;
  recorded: { warning: number; breach: number };
  latenessMs: ReturnType<typeof latenessSummary>;
  rebuild: SlaSchedulerStats['rebuild'];
};

export type ReadSlaSchedulerStatusOptions = { db: Db; queue: QueueDriver; now: Date; live: LiveSlaState; stats: SlaSchedulerStats | null };

export const readSlaSchedulerStatus = async ({ db, queue, now, live, stats }: ReadSlaSchedulerStatusOptions): Promise<SlaSchedulerStatus> => {
  const cutoff = new Date(now.getTime() - OVERDUE_GRACE_MS);
  const timers = db.select({ n: count(), next: min(ticketSla.timerAt) }).from(ticketSla).where(isNotNull(ticketSla.timerAt)).get()!;
  const overdue = db.select({ n: count(), oldest: min(ticketSla.timerAt) }).from(ticketSla).where(lte(ticketSla.timerAt, cutoff)).get()!;
  const counts = await queue.counts(slaTimerJob).catch(() => null);
  const errors = live.lastReload && !live.lastReload.ok
    ? live.lastReload.issues.map((issue) => `${issue.file ?? ''}:${issue.line ?? 0}:${issue.column ?? 0} ${issue.path}: ${issue.message}`)
    : [];
  const configOk = live.config !== null && errors.length === 0;
  const overdueNotFired = overdue.n;
  // drizzle's min() over a timestamp column comes back as the raw number
  const asDate = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as number));
  const detail = live.config === null
    ? 'sla.yaml is invalid and no earlier configuration is loaded: clocks are not being updated'
    : errors.length > 0
      ? 'sla.yaml was refused; the previous configuration is running'
      : overdueNotFired > 0
        ? `${overdueNotFired} timer(s) overdue by more than ${OVERDUE_GRACE_MS / 1000}s and not fired`
        : `${timers.n} ticket(s) with a timer set`;
  return {
    ok: configOk && overdueNotFired === 0,
    detail,
    config: { source: live.file ?? 'built-in (no sla.yaml)', version: live.version, loadedAt: live.loadedAt, errors },
    timersPending: counts === null ? null : counts.delayed + counts.waiting,
    ticketsWithTimer: timers.n,
    nextTimerAt: asDate(timers.next),
    overdueNotFired,
    oldestOverdueAt: asDate(overdue.oldest),
    lastFireAt: stats?.lastFireAt ?? null,
    lastRecordedAt: stats?.lastRecordedAt ?? null,
    fires: stats?.fires ?? 0,
    recorded: stats?.recorded ?? { warning: 0, breach: 0 },
    latenessMs: stats ? latenessSummary(stats) : { samples: 0, p50: null, p99: null, max: null },
    rebuild: stats?.rebuild ?? null,
  };
};
