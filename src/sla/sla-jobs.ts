/**
 * The SLA module's jobs and their timing limits.
 *
 * One timer per ticket: a delayed `sla-timer` job set for the ticket's next warning or breach. Its key
 * is `sla-<ticketId>-g<generation>`, not just `sla-<ticketId>`, because the queue drivers cannot
 * replace or cancel a queued job, and a job holds its key while it runs: a deadline that moves earlier
 * (a customer writes again and a next-response cycle starts) or a timer that must be set again from
 * inside the job that fired would be refused under a per-ticket key. So each new timer gets the next
 * generation of the ticket's `ticket_sla.timer_generation`; a job whose generation is no longer the
 * ticket's is stale and ends at once. Keys still de-duplicate what matters: re-queuing the same
 * generation (a rebuild after a restart, two processes starting) is a no-op while it is queued.
 */
import { z } from 'zod';
import { defineJob } from '../queue/job-definition.js';

/**
 * Longest delay a timer job is queued with. A later deadline is reached in steps: the job wakes up,
 * recomputes (nothing is due), and sets the next step. Node timers (the inline driver) overflow past
 * 2^31-1 ms (24.8 days), and a bounded step also bounds how long a deadline computed under an older
 * configuration can wait.
 */
export const MAX_TIMER_DELAY_MS = 24 * 60 * 60 * 1000;

/** A timer whose instant passed this long ago without firing counts as overdue (/health, the sweep). */
export const OVERDUE_GRACE_MS = 5_000;

/** How often each process looks for overdue timers and tickets computed under an older configuration. */
export const SLA_SWEEP_INTERVAL_MS = 30_000;

/** Tickets recomputed per step of a sweep or rebuild (the event loop is yielded between steps). */
export const SLA_SWEEP_BATCH = 500;

/**
 * Timer jobs in flight per process. High on purpose: jobs that fire together are written in one
 * transaction (sla-timer-batcher.ts), so this bounds the batch a burst of deadlines can form.
 */
export const SLA_TIMER_CONCURRENCY = 200;

/** A POST to a rule's webhook gives up after this long (and is retried with the job's backoff). */
export const SLA_WEBHOOK_TIMEOUT_MS = 10_000;

/** Fires when a ticket's next SLA warning or breach is due: recompute, record what is due, set the next timer. */
export const slaTimerJob = defineJob({
  name: 'sla-timer',
  version: 1,
  schema: z.object({ ticketId: z.number().int().positive(), generation: z.number().int().nonnegative() }),
  attempts: 5,
  backoffMs: 500,
  jobKey: (p) => `sla-${p.ticketId}-g${p.generation}`,
});

/** POSTs one webhook an `on: sla.*` rule asked for (the URL is stored on the crossing's outcome). */
export const slaWebhookJob = defineJob({
  name: 'sla-webhook',
  version: 1,
  schema: z.object({ crossingId: z.number().int().positive(), index: z.number().int().nonnegative() }),
  attempts: 5,
  backoffMs: 5_000,
  jobKey: (p) => `sla-webhook-${p.crossingId}-${p.index}`,
});
