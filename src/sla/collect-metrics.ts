/**
 * Mailroom's Prometheus metrics (served at GET /metrics in the text exposition format 0.0.4).
 *
 * Counters are counts of durable rows (raw messages accepted, tickets created, warnings and breaches
 * recorded), so they survive restarts and agree across processes; Prometheus' `rate()` turns them into
 * intake rates. Gauges are read at scrape time (queue depth, open tickets by SLA state, overdue timers).
 * Only the `mailroom_sla_timer_*` series are per process (this process's timer jobs).
 */
import { count, eq, isNotNull, lte, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { rawMessages, slaCrossings, tickets, ticketSla, messages } from '../db/schema/index.js';
import type { JobDefinition } from '../queue/job-definition.js';
import type { QueueDriver } from '../queue/queue-driver.js';
import { OVERDUE_GRACE_MS } from './sla-jobs.js';
import { latenessSummary, type SlaSchedulerStats } from './sla-scheduler-stats.js';

export type MetricSample = { labels?: Record<string, string>; value: number };
export type Metric = { name: string; help: string; type: 'counter' | 'gauge'; samples: MetricSample[] };

const escapeLabel = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

const formatValue = (value: number): string =>
  Number.isNaN(value) ? 'NaN' : value === Number.POSITIVE_INFINITY ? '+Inf' : value === Number.NEGATIVE_INFINITY ? '-Inf' : String(value);

/** Renders metrics in the Prometheus text format (pure). */
export const formatPrometheus = (metrics: readonly Metric[]): string => {
  const lines: string[] = [];
  for (const metric of metrics) {
    lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} ${metric.type}`);
    for (const sample of metric.samples) {
      const labels = sample.labels && Object.keys(sample.labels).length > 0
        ? `{${Object.entries(sample.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
        : '';
      lines.push(`${metric.name}${labels} ${formatValue(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
};

export type CollectMetricsOptions = {
  db: Db;
  queue: QueueDriver;
  /** the jobs whose queue depth is reported */
  jobs: ReadonlyArray<JobDefinition<never>>;
  now: Date;
  stats: SlaSchedulerStats | null;
  /** every SLA state, so a state with no ticket is reported as 0 rather than missing */
  slaStates: readonly string[];
};

export const collectMetrics = async ({ db, queue, jobs, now, stats, slaStates }: CollectMetricsOptions): Promise<Metric[]> => {
  const byChannel = db.select({ channel: rawMessages.channel, n: count() }).from(rawMessages).groupBy(rawMessages.channel).all();
  const byState = db.select({ state: rawMessages.state, n: count() }).from(rawMessages).groupBy(rawMessages.state).all();
  const ticketsByChannel = db.select({ channel: tickets.channel, n: count() }).from(tickets).groupBy(tickets.channel).all();
  const messagesByDirection = db.select({ direction: messages.direction, n: count() }).from(messages).groupBy(messages.direction).all();
  const open = db.select({ state: sql<string>`coalesce(${ticketSla.state}, 'unknown')`, n: count() }).from(tickets)
    .leftJoin(ticketSla, eq(ticketSla.ticketId, tickets.id))
    .where(notInArray(tickets.status, ['resolved', 'closed'])).groupBy(ticketSla.state).all();
  const openByQueue = db.select({ queue: tickets.queue, n: count() }).from(tickets).where(notInArray(tickets.status, ['resolved', 'closed'])).groupBy(tickets.queue).all();
  const crossings = db.select({ kind: slaCrossings.kind, clock: slaCrossings.clock, policy: slaCrossings.policy, n: count() }).from(slaCrossings)
    .groupBy(slaCrossings.kind, slaCrossings.clock, slaCrossings.policy).all();
  const timers = db.select({ n: count() }).from(ticketSla).where(isNotNull(ticketSla.timerAt)).get()!.n;
  const overdue = db.select({ n: count() }).from(ticketSla).where(lte(ticketSla.timerAt, new Date(now.getTime() - OVERDUE_GRACE_MS))).get()!.n;

  const depth: MetricSample[] = [];
  for (const job of jobs) {
    const counts = await queue.counts(job).catch(() => null);
    if (counts === null) continue;
    for (const [state, value] of Object.entries(counts)) depth.push({ labels: { queue: job.name, state }, value });
  }
  const openStates = new Map<string, number>(slaStates.map((state) => [state, 0]));
  for (const row of open) openStates.set(row.state, row.n);

  const metrics: Metric[] = [
    { name: 'mailroom_raw_messages_total', help: 'Messages accepted by intake (stored before answering), by channel.', type: 'counter', samples: byChannel.map((r) => ({ labels: { channel: r.channel }, value: r.n })) },
    { name: 'mailroom_raw_messages', help: 'Accepted messages by processing state (accepted, processing, processed, failed).', type: 'gauge', samples: byState.map((r) => ({ labels: { state: r.state }, value: r.n })) },
    { name: 'mailroom_tickets_created_total', help: 'Tickets opened, by channel.', type: 'counter', samples: ticketsByChannel.map((r) => ({ labels: { channel: r.channel }, value: r.n })) },
    { name: 'mailroom_messages_total', help: 'Messages filed on tickets, by direction.', type: 'counter', samples: messagesByDirection.map((r) => ({ labels: { direction: r.direction }, value: r.n })) },
    { name: 'mailroom_queue_jobs', help: 'Jobs in each work queue by state (waiting, active, delayed, failed); for the inline driver, this process only.', type: 'gauge', samples: depth },
    { name: 'mailroom_open_tickets', help: 'Open tickets (not resolved or closed) by SLA state; unknown = not yet seen by the SLA module.', type: 'gauge', samples: [...openStates].map(([state, value]) => ({ labels: { sla_state: state }, value })) },
    { name: 'mailroom_open_tickets_by_queue', help: 'Open tickets by queue.', type: 'gauge', samples: openByQueue.map((r) => ({ labels: { queue: r.queue }, value: r.n })) },
    { name: 'mailroom_sla_breaches_total', help: 'SLA breaches recorded, by clock and policy.', type: 'counter', samples: crossings.filter((r) => r.kind === 'breach').map((r) => ({ labels: { clock: r.clock, policy: r.policy }, value: r.n })) },
    { name: 'mailroom_sla_warnings_total', help: 'SLA warnings recorded, by clock and policy.', type: 'counter', samples: crossings.filter((r) => r.kind === 'warning').map((r) => ({ labels: { clock: r.clock, policy: r.policy }, value: r.n })) },
    { name: 'mailroom_sla_timers', help: 'Tickets with an SLA timer set (a running clock with a warning or breach ahead).', type: 'gauge', samples: [{ value: timers }] },
    { name: 'mailroom_sla_timers_overdue', help: `SLA timers whose instant passed more than ${OVERDUE_GRACE_MS / 1000}s ago without firing (should be 0).`, type: 'gauge', samples: [{ value: overdue }] },
  ];
  if (stats !== null) {
    const lateness = latenessSummary(stats);
    metrics.push(
      { name: 'mailroom_sla_timer_fires_total', help: 'SLA timer jobs run by this process (stale ones included).', type: 'counter', samples: [{ value: stats.fires }] },
      { name: 'mailroom_sla_timer_stale_fires_total', help: 'SLA timer jobs run by this process that found their deadline had moved.', type: 'counter', samples: [{ value: stats.staleFires }] },
      {
        name: 'mailroom_sla_record_lateness_seconds',
        help: `Recorded minus due instant of this process's recent warnings and breaches (last ${stats.lateness.length}).`,
        type: 'gauge',
        samples: [
          { labels: { quantile: '0.5' }, value: (lateness.p50 ?? 0) / 1000 },
          { labels: { quantile: '0.99' }, value: (lateness.p99 ?? 0) / 1000 },
          { labels: { quantile: '1' }, value: (lateness.max ?? 0) / 1000 },
        ],
      },
    );
  }
  return metrics;
};
