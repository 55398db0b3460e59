/**
 * Keeping timers alive across restarts and failures.
 *
 * - `rebuildSlaTimers` (start-up): queue the timer of every ticket whose row has one, from the stored
 *   instant and generation, without recomputing anything. The inline driver lost its timers with the
 *   old process; BullMQ kept them, and re-queuing the same generation is a no-op there (same job key).
 *   A timer whose instant passed while Mailroom was down is queued with no delay and runs at once.
 * - `runOverdueTimers` (sweep): a timer still not run OVERDUE_GRACE_MS after its instant (its job was
 *   lost: Redis was unreachable when it was queued, the job failed every attempt) is run directly, as
 *   its job would have been. Harmless when the job does run after all: the second run is stale.
 * - `recomputeStaleSla` (sweep): open tickets with no row (filed before the SLA module ran) and rows
 *   computed under another SLA configuration (sla.yaml was edited) are recomputed. Resolved tickets
 *   keep the numbers of the promise they were under.
 */
import { and, asc, eq, isNotNull, isNull, lte, ne, notInArray, or } from 'drizzle-orm';
import { tickets, ticketSla } from '../db/schema/index.js';
import type { Services } from '../services.js';
import { RESOLVED_STATUSES } from './build-sla-timeline.js';
import { slaConfigVersion } from './live-sla-config.js';
import { MAX_TIMER_DELAY_MS, OVERDUE_GRACE_MS, slaTimerJob } from './sla-jobs.js';
import { syncTicketSla, type SyncTicketSlaResult } from './sync-ticket-sla.js';

type SlaServices = Pick<Services, 'db' | 'queue' | 'clock' | 'log' | 'decider' | 'emitTicketEvents'>;

/** Timers queued at once while rebuilding (BullMQ makes a round trip or two per timer). */
export const REBUILD_CONCURRENCY = 64;

/** Queues every stored timer (see the header). Returns how many, and how many were already overdue. */
export const rebuildSlaTimers = async ({ services }: { services: SlaServices }): Promise<{ timers: number; overdue: number }> => {
  const now = services.clock.now().getTime();
  const rows = services.db.select({ ticketId: ticketSla.ticketId, timerAt: ticketSla.timerAt, generation: ticketSla.timerGeneration })
    .from(ticketSla).where(isNotNull(ticketSla.timerAt)).all();
  let overdue = 0;
  const queueOne = (row: (typeof rows)[number]) => {
    const delayMs = Math.min(MAX_TIMER_DELAY_MS, Math.max(0, row.timerAt!.getTime() - now));
    if (delayMs === 0) overdue++;
    return services.queue.enqueue(slaTimerJob, { ticketId: row.ticketId, generation: row.generation }, { delayMs });
  };
  if (services.queue.kind === 'inline') {
    for (const row of rows) await queueOne(row);
  } else {
    for (let i = 0; i < rows.length; i += REBUILD_CONCURRENCY) await Promise.all(rows.slice(i, i + REBUILD_CONCURRENCY).map(queueOne));
  }
  return { timers: rows.length, overdue };
};

/** Runs up to `limit` timers that are overdue by more than OVERDUE_GRACE_MS; returns what they did. */
export const runOverdueTimers = async ({ services, limit }: { services: SlaServices; limit: number }): Promise<SyncTicketSlaResult[]> => {
  const cutoff = new Date(services.clock.now().getTime() - OVERDUE_GRACE_MS);
  const rows = services.db.select({ ticketId: ticketSla.ticketId, generation: ticketSla.timerGeneration }).from(ticketSla)
    .where(lte(ticketSla.timerAt, cutoff)).orderBy(asc(ticketSla.timerAt)).limit(limit).all();
  const results: SyncTicketSlaResult[] = [];
  for (const row of rows) {
    try {
      results.push(await syncTicketSla({ services, ticketId: row.ticketId, firedGeneration: row.generation }));
    } catch (err) {
      services.log.error({ err, ticketId: row.ticketId }, 'sla: overdue timer failed');
    }
  }
  return results;
};

/**
 * Recomputes up to `limit` tickets without a row or with a row of another configuration; returns how
 * many it looked at (a ticket that fails is logged and counted, so a caller looping until this returns
 * less than `limit` must also bound its loop).
 */
export const recomputeStaleSla = async ({ services, limit }: { services: SlaServices; limit: number }): Promise<number> => {
  const config = services.decider.sla().config;
  if (config === null) return 0;
  const version = slaConfigVersion(config);
  const rows = services.db.select({ id: tickets.id }).from(tickets).leftJoin(ticketSla, eq(ticketSla.ticketId, tickets.id))
    .where(or(
      and(isNull(ticketSla.ticketId), notInArray(tickets.status, [...RESOLVED_STATUSES] as Array<'resolved' | 'closed'>)),
      and(ne(ticketSla.configVersion, version), ne(ticketSla.state, 'resolved')),
    ))
    .limit(limit).all();
  for (const row of rows) {
    try {
      await syncTicketSla({ services, ticketId: row.id });
    } catch (err) {
      services.log.error({ err, ticketId: row.id }, 'sla: recomputing a ticket failed');
    }
  }
  return rows.length;
};
