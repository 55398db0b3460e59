/**
 * Timer jobs that run at the same moment share one transaction. Each `sla-timer` job hands its
 * request to the batcher and waits; requests arriving in the same turn of the event loop are written
 * together (syncTicketsSla), up to SLA_TIMER_BATCH per commit. Why: SQLite commits one writer at a
 * time, and when thousands of deadlines fall on the same instant (everything that arrived over the
 * weekend starts its clock when the office opens on Monday) one commit per ticket is what makes the
 * last one late. If a batch fails as a whole, its tickets are retried one by one, so one bad ticket
 * cannot fail the others.
 */
import type { Services } from '../services.js';
import { syncTicketSla, syncTicketsSla, type SlaSyncRequest, type SyncTicketSlaResult } from './sync-ticket-sla.js';

/** Most tickets written in one transaction. */
export const SLA_TIMER_BATCH = 200;

type Waiting = { request: SlaSyncRequest; resolve: (result: SyncTicketSlaResult) => void; reject: (err: unknown) => void };

type BatcherServices = Pick<Services, 'db' | 'queue' | 'clock' | 'log' | 'decider' | 'emitTicketEvents'>;

/** Returns `sync(request)`, which resolves with that ticket's result once its batch is written. */
export const createSlaTimerBatcher = (services: BatcherServices): ((request: SlaSyncRequest) => Promise<SyncTicketSlaResult>) => {
  const waiting: Waiting[] = [];
  let scheduled = false;

  const flush = async (): Promise<void> => {
    scheduled = false;
    const batch = waiting.splice(0, SLA_TIMER_BATCH);
    if (waiting.length > 0) schedule();
    if (batch.length === 0) return;
    try {
      const results = await syncTicketsSla({ services, requests: batch.map((w) => w.request) });
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (err) {
      services.log.warn({ err, tickets: batch.length }, 'sla: a timer batch failed; running its tickets one by one');
      for (const w of batch) {
        try {
          w.resolve(await syncTicketSla({ services, ...w.request }));
        } catch (oneErr) {
          w.reject(oneErr);
        }
      }
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => { void flush(); });
  };

  return (request) => new Promise<SyncTicketSlaResult>((resolve, reject) => {
    waiting.push({ request, resolve, reject });
    schedule();
  });
};
