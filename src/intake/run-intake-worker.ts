/**
 * Wires the intake job to `processRawMessage` in this process, and re-queues what a crash or a Redis
 * outage left behind. Used by the server (inline mode, or as one more BullMQ worker) and workers/intake.ts.
 */
import { inArray, and, lt, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { rawMessages } from '../db/schema/index.js';
import { intakeJob } from '../queue/jobs.js';
import type { QueueDriver } from '../queue/queue-driver.js';
import type { Logger } from '../logger.js';
import type { TicketEventRecord } from '../tickets/ticket-events.js';
import { processRawMessage, type IntakeDeps, type IntakeEffect } from './process-raw-message.js';

export type RunIntakeWorkerOptions = {
  queue: QueueDriver;
  /** after commit: hand the filing's ticket events to the ticket hooks */
  emitTicketEvents?: (events: TicketEventRecord[]) => Promise<void>;
  deps: IntakeDeps;
  effects: IntakeEffect[];
  concurrency: number;
  log: Logger;
};

/** Registers the intake handler. Effects run after commit; an effect's failure is logged, never retried into a second filing. */
export const runIntakeWorker = ({ queue, deps, effects, concurrency, log, emitTicketEvents }: RunIntakeWorkerOptions): void => {
  queue.work(intakeJob, async ({ rawMessageId }, ctx) => {
    const result = await processRawMessage({ rawMessageId, deps });
    if (result.status === 'quarantined') {
      log.warn({ rawMessageId, reason: result.reason }, 'intake: message quarantined');
      return;
    }
    if (result.status === 'already-processed') {
      log.debug({ rawMessageId }, 'intake: already processed');
      return;
    }
    log.info({ rawMessageId, ticketId: result.ticketId, created: result.ticketCreated, queue: result.decision.queue, attempt: ctx.attempt }, 'intake: filed');
    await emitTicketEvents?.(result.events);
    for (const effect of effects) {
      try {
        await effect(result);
      } catch (err) {
        log.error({ rawMessageId, ticketId: result.ticketId, err }, 'intake: after-commit effect failed');
      }
    }
  }, {
    concurrency,
    onExhausted: (payload, error) => {
      deps.db.update(rawMessages).set({ state: 'failed', error: `processing failed after the last attempt: ${error.message}` })
        .where(eq(rawMessages.id, payload.rawMessageId)).run();
      log.error({ rawMessageId: payload.rawMessageId, err: error }, 'intake: gave up');
    },
  });
};

/**
 * Re-queues raw messages that were accepted but never finished: all of them at start (`olderThan` unset),
 * or those older than `olderThan` in the periodic sweep. Jobs are keyed, so a message already queued or
 * running is not queued twice.
 */
export const recoverIntake = async ({ db, queue, olderThan }: { db: Db; queue: QueueDriver; olderThan?: Date }): Promise<number> => {
  const pending = db.select({ id: rawMessages.id }).from(rawMessages)
    .where(olderThan
      ? and(inArray(rawMessages.state, ['accepted', 'processing']), lt(rawMessages.receivedAt, olderThan))
      : inArray(rawMessages.state, ['accepted', 'processing']))
    .all();
  for (const { id } of pending) await queue.enqueue(intakeJob, { rawMessageId: id });
  return pending.length;
};
