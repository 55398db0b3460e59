/**
 * The SLA module: clocks kept up to date on every ticket event, one timer per ticket for its next
 * warning or breach, warnings and breaches recorded exactly once with the `on: sla.*` rules run, the
 * reports, /metrics, and the `sla` section of /health.
 *
 * In each process that runs it (`serve`, and `worker` processes with BullMQ):
 * - a ticket hook recomputes the ticket (sync-ticket-sla.ts) after any event that moves a clock or may
 *   change the policy; events the SLA module wrote itself are skipped (their sync already counted them);
 * - the `sla-timer` and `sla-webhook` jobs are consumed;
 * - a sweep every SLA_SWEEP_INTERVAL_MS runs overdue timers whose job was lost and recomputes tickets
 *   without a row or from an older sla.yaml.
 * In the server only, at start: every stored timer is queued again (rebuild-sla-timers.ts), then the
 * first sweep runs. Both run in the background; `ready(services)` resolves when they are done.
 */
import type { MailroomModule } from '../module.js';
import { metricsRoutes } from '../api/routes/metrics.js';
import { reportRoutes } from '../api/routes/reports.js';
import { intakeJob } from '../queue/jobs.js';
import type { JobDefinition } from '../queue/job-definition.js';
import type { Services } from '../services.js';
import type { TicketEventHook } from '../tickets/ticket-events.js';
import { SLA_TIMELINE_EVENT_TYPES } from './build-sla-timeline.js';
import { postSlaWebhook } from './post-sla-webhook.js';
import { readSlaSchedulerStatus } from './read-sla-scheduler-status.js';
import { rebuildSlaTimers, recomputeStaleSla, runOverdueTimers } from './rebuild-sla-timers.js';
import { SLA_SWEEP_BATCH, SLA_SWEEP_INTERVAL_MS, SLA_TIMER_CONCURRENCY, slaTimerJob, slaWebhookJob } from './sla-jobs.js';
import { createSlaSchedulerStats, noteRecorded, type SlaSchedulerStats } from './sla-scheduler-stats.js';
import { SLA_ACTOR, syncTicketSla } from './sync-ticket-sla.js';
import { createSlaTimerBatcher } from './sla-timer-batcher.js';
import { ticketSlaRoutes } from './ticket-sla-routes.js';

/** Ticket events after which the ticket's SLA is recomputed: the clock-moving ones, and policy facts. */
export const SLA_HOOK_EVENT_TYPES: ReadonlySet<string> = new Set([...SLA_TIMELINE_EVENT_TYPES, 'priority_changed', 'queue_changed', 'category_changed']);

/** Batches one sweep may process before it waits for the next interval (a bound, in case one keeps failing). */
const MAX_SWEEP_BATCHES = 200;

export type SlaModuleOptions = {
  /** 0 disables the periodic sweep (tests that drive time themselves); default SLA_SWEEP_INTERVAL_MS */
  sweepIntervalMs?: number;
  timerConcurrency?: number;
};

type Running = { stats: SlaSchedulerStats; ready: Promise<void> };

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export const createSlaModule = (opts: SlaModuleOptions = {}): MailroomModule & {
  /** resolves when this process's start-up rebuild and first sweep are done */
  ready: (services: Services) => Promise<void>;
  /** this process's scheduler figures (null when the module was not started with these services) */
  stats: (services: Services) => SlaSchedulerStats | null;
  /** one sweep now: overdue timers, then stale tickets; returns what it did */
  sweep: (services: Services) => Promise<{ overdue: number; stale: number }>;
} => {
  // Per Services: one module object can serve several Mailroom instances in one process (tests).
  const running = new WeakMap<Services, Running>();

  const sweep = async (services: Services): Promise<{ overdue: number; stale: number }> => {
    const stats = running.get(services)?.stats;
    let overdue = 0;
    let stale = 0;
    for (let batch = 0; batch < MAX_SWEEP_BATCHES; batch++) {
      const results = await runOverdueTimers({ services, limit: SLA_SWEEP_BATCH });
      overdue += results.length;
      if (stats) for (const result of results) for (const c of result.crossings) noteRecorded(stats, c.kind, c.recordedAt.getTime() - c.at.getTime(), c.recordedAt);
      if (results.length < SLA_SWEEP_BATCH) break;
      await yieldToEventLoop();
    }
    for (let batch = 0; batch < MAX_SWEEP_BATCHES; batch++) {
      const count = await recomputeStaleSla({ services, limit: SLA_SWEEP_BATCH });
      stale += count;
      if (count < SLA_SWEEP_BATCH) break;
      await yieldToEventLoop();
    }
    if (stats) {
      stats.sweeps++;
      stats.sweptOverdue += overdue;
      stats.sweptStale += stale;
    }
    if (overdue > 0) services.log.warn({ overdue }, 'sla: ran timers whose job had not fired');
    if (stale > 0) services.log.info({ tickets: stale }, 'sla: recomputed tickets (new sla.yaml, or filed before the SLA module ran)');
    return { overdue, stale };
  };

  const jobs = [intakeJob, slaTimerJob, slaWebhookJob] as unknown as ReadonlyArray<JobDefinition<never>>;

  return {
    name: 'sla',
    routes: async (app, services) => {
      await ticketSlaRoutes(app, services);
      await reportRoutes(app, services);
      await metricsRoutes({ jobs, stats: (s) => running.get(s)?.stats ?? null })(app, services);
    },
    health: (services) => ({
      name: 'sla',
      check: async () => readSlaSchedulerStatus({
        db: services.db, queue: services.queue, now: services.clock.now(), live: services.decider.sla(), stats: running.get(services)?.stats ?? null,
      }),
    }),
    ready: (services) => running.get(services)?.ready ?? Promise.resolve(),
    stats: (services) => running.get(services)?.stats ?? null,
    sweep,
    async start(services, role) {
      const { queue, log, clock } = services;
      const stats = createSlaSchedulerStats(clock.now());

      const hook: TicketEventHook = async (event) => {
        if (event.actor === SLA_ACTOR || !SLA_HOOK_EVENT_TYPES.has(event.type)) return;
        await syncTicketSla({ services, ticketId: event.ticketId });
      };
      services.ticketHooks.push(hook);

      const fire = createSlaTimerBatcher(services);
      queue.work(slaTimerJob, async ({ ticketId, generation }) => {
        stats.fires++;
        stats.lastFireAt = clock.now();
        const result = await fire({ ticketId, firedGeneration: generation });
        if (result.status === 'stale-timer') stats.staleFires++;
        for (const c of result.crossings) noteRecorded(stats, c.kind, c.recordedAt.getTime() - c.at.getTime(), c.recordedAt);
      }, {
        concurrency: opts.timerConcurrency ?? SLA_TIMER_CONCURRENCY,
        onExhausted: (payload, error) => log.error({ ...payload, err: error }, 'sla: timer job failed every attempt; the sweep will run it'),
      });
      queue.work(slaWebhookJob, async ({ crossingId, index }) => {
        const status = await postSlaWebhook({ db: services.db, crossingId, index });
        log.info({ crossingId, index, status }, 'sla: webhook posted');
      }, { concurrency: 2, onExhausted: (payload, error) => log.error({ ...payload, err: error }, 'sla: webhook failed every attempt') });

      const state: Running = { stats, ready: Promise.resolve() };
      running.set(services, state);
      state.ready = (async () => {
        if (role === 'server') {
          const started = performance.now();
          const rebuilt = await rebuildSlaTimers({ services });
          stats.rebuild = { at: clock.now(), timers: rebuilt.timers, ms: Math.round(performance.now() - started) };
          if (rebuilt.timers > 0) log.info({ ...rebuilt, ms: stats.rebuild.ms }, 'sla: timers queued again from the database');
        }
        await sweep(services);
      })().catch((err) => { log.error({ err }, 'sla: start-up rebuild failed'); });

      const interval = opts.sweepIntervalMs ?? SLA_SWEEP_INTERVAL_MS;
      let sweeping = false;
      const timer = interval > 0
        ? setInterval(() => {
          if (sweeping) return;
          sweeping = true;
          void sweep(services).catch((err) => log.error({ err }, 'sla: sweep failed')).finally(() => { sweeping = false; });
        }, interval)
        : null;
      timer?.unref();

      return async () => {
        if (timer) clearInterval(timer);
        await state.ready;
        const index = services.ticketHooks.indexOf(hook);
        if (index >= 0) services.ticketHooks.splice(index, 1);
      };
    },
  };
};

/** The module as src/modules.ts loads it. */
export const slaModule = createSlaModule();
