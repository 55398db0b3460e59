/**
 * The outbound module: agent replies (routes), the acknowledgement and bounce-matching intake effects,
 * the outbox worker (in every process that runs jobs), and — in the server — the start-up and periodic
 * recovery of unsent rows. With no `smtp.host` configured the worker leaves rows queued and /health's
 * `outbox` section says so.
 */
import type { MailroomModule } from '../module.js';
import type { Services } from '../services.js';
import { replyRoutes } from '../api/routes/replies.js';
import { acknowledgeMessage } from './acknowledge-message.js';
import { createMailer, type Mailer } from './create-mailer.js';
import { matchBounce } from './match-bounce.js';
import { outboxSendJob } from './outbound-jobs.js';
import { readOutboxStatus, STUCK_ATTEMPTS } from './outbox-status.js';
import { recoverOutbox, STALE_SENDING_MS } from './recover-outbox.js';
import { sendOutboxMessage } from './send-outbox-message.js';

/** How often the server looks for queued rows without a job. */
export const OUTBOX_SWEEP_INTERVAL_MS = 60_000;

export type OutboundModuleOptions = {
  sweepIntervalMs?: number;
  staleSendingMs?: number;
};

/** The SMTP server mail goes to, or null when none is configured. */
export const smtpServerOf = (services: Pick<Services, 'config'>): string | null =>
  services.config.smtp?.host ? `${services.config.smtp.host}:${services.config.smtp.port}` : null;

export const createOutboundModule = (opts: OutboundModuleOptions = {}): MailroomModule => ({
  name: 'outbound',
  routes: replyRoutes,
  health: (services) => ({
    name: 'outbox',
    check: async () => {
      const status = readOutboxStatus({ db: services.db, smtpServer: smtpServerOf(services) });
      const detail = !status.smtp.configured
        ? `no SMTP server configured (smtp.host): ${status.counts.queued} message(s) held in the outbox`
        : status.stuck > 0
          ? `${status.stuck} message(s) failed ${STUCK_ATTEMPTS}+ times and are waiting to retry: ${status.lastError ?? ''}`
          : `sending through ${status.smtp.server}`;
      return {
        ok: status.stuck === 0,
        detail,
        smtpConfigured: status.smtp.configured,
        queued: status.counts.queued,
        sending: status.counts.sending,
        failed: status.counts.failed,
        bounced: status.counts.bounced,
        oldestQueuedAt: status.oldestQueuedAt,
        lastSentAt: status.lastSentAt,
      };
    },
  }),
  async start(services, role) {
    const { db, queue, clock, log, config } = services;
    services.effects.push(async (result) => {
      const bounce = matchBounce({ db, result, now: clock.now() });
      if (bounce.matched) {
        log.info({ outboxId: bounce.outboxId, ticketId: bounce.ticketId, outcome: bounce.outcome }, 'outbox: bounce matched');
        await services.emitTicketEvents(bounce.events);
      }
    });
    services.effects.push(async (result) => {
      const ack = await acknowledgeMessage({ db, queue, config, result, now: clock.now() });
      await services.emitTicketEvents(ack.events);
      if (ack.queued) log.info({ ticketId: result.ticketId, outboxId: ack.outboxId }, 'outbox: automatic reply queued');
      else log.debug({ ticketId: result.ticketId, reason: ack.reason }, 'outbox: no automatic reply');
    });

    const smtp = config.smtp;
    const mailer: Mailer | null = smtp?.host ? createMailer({ ...smtp, host: smtp.host }) : null;
    const retry = smtp
      ? { baseMs: smtp.retryBaseSeconds * 1000, maxMs: smtp.retryMaxSeconds * 1000, maxAttempts: smtp.maxAttempts }
      : { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 12 };

    queue.work(outboxSendJob, async ({ outboxId }) => {
      if (!mailer) {
        log.debug({ outboxId }, 'outbox: no SMTP server configured; message stays queued');
        return;
      }
      const outcome = await sendOutboxMessage({ db, blobs: services.blobs, mailer, outboxId, now: () => clock.now(), retry });
      if (outcome.status === 'retry') {
        log.warn({ outboxId, attempt: outcome.attempt, delayMs: outcome.delayMs, reason: outcome.reason }, 'outbox: temporary failure, will retry');
        await queue.enqueue(outboxSendJob, { outboxId, attempt: outcome.attempt + 1 }, { delayMs: outcome.delayMs });
      } else if (outcome.status === 'failed') {
        log.error({ outboxId, attempt: outcome.attempt, reason: outcome.reason }, 'outbox: failed');
        await services.emitTicketEvents(outcome.events);
      } else if (outcome.status === 'sent') {
        log.info({ outboxId, attempt: outcome.attempt }, 'outbox: sent');
      }
    }, { concurrency: smtp?.maxConnections ?? 1 });

    let sweep: NodeJS.Timeout | null = null;
    if (role === 'server' && mailer) {
      const recover = () => recoverOutbox({ db, queue, now: clock.now(), staleSendingMs: opts.staleSendingMs ?? STALE_SENDING_MS });
      const first = await recover();
      if (first.requeued > 0) log.info(first, 'outbox: re-queued unsent mail from before the restart');
      sweep = setInterval(() => { void recover().catch((err) => log.error({ err }, 'outbox: sweep failed')); }, opts.sweepIntervalMs ?? OUTBOX_SWEEP_INTERVAL_MS);
      sweep.unref();
    } else if (role === 'server' && !mailer) {
      log.warn('outbox: no SMTP server configured (smtp.host); outgoing mail is kept in the outbox until one is');
    }

    return async () => {
      if (sweep) clearInterval(sweep);
      mailer?.close();
    };
  },
});

/** The module as src/modules.ts loads it. */
export const outboundModule = createOutboundModule();
