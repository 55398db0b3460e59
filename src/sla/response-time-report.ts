/**
 * The response-time report: what Nikon measured (average e-mail response time), per queue, category,
 * agent or channel and per day, week or month, plus what an average hides.
 *
 * Definitions (all times in minutes; business minutes on each ticket's policy calendar)
 * - Tickets are counted in the period they arrived (cohorts): a ticket from Monday answered on
 *   Wednesday counts in Monday's day. Periods are calendar days / ISO weeks (Monday) / months in
 *   `timeZone` (default: the default SLA policy's calendar zone).
 * - firstResponse: count, average, median, p90 (nearest rank) in business and wall-clock minutes of
 *   the tickets whose first-response clock was stopped by a reply (measure.ts), the share of those
 *   with a target that met it (`withinSla`), and how many missed it (`breaches`). `unanswered`: tickets
 *   of the period still without a first response (their wait is in the backlog, not in the averages).
 * - resolution: the same over tickets resolved (business time counts from the first message to the
 *   last resolve, minus time waiting on the customer).
 * - breaches: every breach recorded (sla_crossings) for the period's tickets, by clock.
 * - backlog: open tickets now (whatever their arrival), by wall-clock age and SLA state.
 * - agent: the ticket's assignee at report time.
 */
import { and, eq, gte, lt, notInArray, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db } from '../db/connection.js';
import { slaCrossings, tickets, ticketSla } from '../db/schema/index.js';
import { summarizeDistribution, summarizeResponseTimes, UNGROUPED_KEY, type DistributionSummary, type ResponseTimeSample, type ResponseTimeSummary } from './measure.js';
import { MINUTE_MS } from './zone-timeline.js';

export const REPORT_GROUPS = ['queue', 'category', 'agent', 'channel'] as const;
export type ReportGroupBy = (typeof REPORT_GROUPS)[number];
export const REPORT_PERIODS = ['day', 'week', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

/** Default span of a report when `from` is not given, per period. */
export const DEFAULT_REPORT_SPAN: Record<ReportPeriod, { days?: number; weeks?: number; months?: number }> = {
  day: { days: 30 }, week: { weeks: 12 }, month: { months: 12 },
};

/** Backlog age buckets (wall-clock age of open tickets): upper bounds in minutes, the last is open-ended. */
export const BACKLOG_BUCKETS: ReadonlyArray<{ label: string; upToMinutes: number }> = [
  { label: '<1h', upToMinutes: 60 },
  { label: '1h-4h', upToMinutes: 240 },
  { label: '4h-1d', upToMinutes: 1440 },
  { label: '1d-3d', upToMinutes: 3 * 1440 },
  { label: '3d-7d', upToMinutes: 7 * 1440 },
  { label: '>7d', upToMinutes: Number.POSITIVE_INFINITY },
];

/** One ticket as the report reads it. */
export type ReportTicket = {
  createdAt: Date;
  key: string | null;
  firstResponse: ResponseTimeSample | null;
  /** the first-response clock runs or is paused: no answer yet */
  unanswered: boolean;
  resolution: ResponseTimeSample | null;
  breaches: { first_response: number; next_response: number; resolution: number };
};

export type BacklogTicket = { createdAt: Date; key: string | null; state: string | null };

export type ReportCell = {
  tickets: number;
  firstResponse: ResponseTimeSummary;
  unanswered: number;
  resolution: ResponseTimeSummary;
  breaches: { total: number; first_response: number; next_response: number; resolution: number };
};

export type BacklogCell = { open: number; byAge: Record<string, number>; byState: Record<string, number>; oldestAgeMinutes: number | null };

export type ResponseTimeReport = {
  groupBy: ReportGroupBy;
  period: ReportPeriod;
  timeZone: string;
  from: string;
  to: string;
  generatedAt: string;
  groups: Array<{ key: string; periods: Array<{ period: string } & ReportCell>; total: ReportCell }>;
  total: ReportCell;
  backlog: { buckets: string[]; groups: Array<{ key: string } & BacklogCell>; total: BacklogCell };
};

const round1 = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10);
const roundDistribution = (d: DistributionSummary): DistributionSummary => ({
  average: round1(d.average), median: round1(d.median), p90: round1(d.p90), min: round1(d.min), max: round1(d.max),
});
const roundSummary = (s: ResponseTimeSummary): ResponseTimeSummary => ({
  ...s, business: roundDistribution(s.business), wall: roundDistribution(s.wall), withinSla: s.withinSla === null ? null : Math.round(s.withinSla * 1000) / 1000,
});

const cellOf = (list: readonly ReportTicket[]): ReportCell => {
  const breaches = { total: 0, first_response: 0, next_response: 0, resolution: 0 };
  let unanswered = 0;
  for (const ticket of list) {
    if (ticket.unanswered) unanswered++;
    breaches.first_response += ticket.breaches.first_response;
    breaches.next_response += ticket.breaches.next_response;
    breaches.resolution += ticket.breaches.resolution;
  }
  breaches.total = breaches.first_response + breaches.next_response + breaches.resolution;
  return {
    tickets: list.length,
    firstResponse: roundSummary(summarizeResponseTimes(list.flatMap((t) => (t.firstResponse ? [t.firstResponse] : [])))),
    unanswered,
    resolution: roundSummary(summarizeResponseTimes(list.flatMap((t) => (t.resolution ? [t.resolution] : [])))),
    breaches,
  };
};

/** The period (its first local date, ISO) an instant falls in. */
export const periodOf = (at: Date, period: ReportPeriod, timeZone: string): string =>
  DateTime.fromJSDate(at, { zone: timeZone }).startOf(period === 'week' ? 'week' : period).toISODate()!;

const backlogCellOf = (list: readonly BacklogTicket[], now: Date): BacklogCell => {
  const byAge: Record<string, number> = Object.fromEntries(BACKLOG_BUCKETS.map((bucket) => [bucket.label, 0]));
  const byState: Record<string, number> = {};
  let oldest: number | null = null;
  for (const ticket of list) {
    const age = (now.getTime() - ticket.createdAt.getTime()) / MINUTE_MS;
    byAge[BACKLOG_BUCKETS.find((bucket) => age < bucket.upToMinutes)!.label]++;
    const state = ticket.state ?? 'unknown';
    byState[state] = (byState[state] ?? 0) + 1;
    oldest = oldest === null ? age : Math.max(oldest, age);
  }
  return { open: list.length, byAge, byState, oldestAgeMinutes: round1(oldest) };
};

const groupBy = <T extends { key: string | null }>(list: readonly T[]): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of list) {
    const key = item.key ?? UNGROUPED_KEY;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
};

export type BuildResponseTimeReportOptions = {
  tickets: readonly ReportTicket[];
  backlog: readonly BacklogTicket[];
  groupBy: ReportGroupBy;
  period: ReportPeriod;
  timeZone: string;
  from: Date;
  to: Date;
  now: Date;
};

/** Aggregates the report (pure): see the header for every definition. */
export const buildResponseTimeReport = (o: BuildResponseTimeReportOptions): ResponseTimeReport => {
  const groups = [...groupBy(o.tickets)].sort(([a], [b]) => a.localeCompare(b)).map(([key, list]) => {
    const byPeriod = new Map<string, ReportTicket[]>();
    for (const ticket of list) {
      const period = periodOf(ticket.createdAt, o.period, o.timeZone);
      const bucket = byPeriod.get(period);
      if (bucket) bucket.push(ticket);
      else byPeriod.set(period, [ticket]);
    }
    const periods = [...byPeriod.keys()].sort().map((period) => ({ period, ...cellOf(byPeriod.get(period)!) }));
    return { key, periods, total: cellOf(list) };
  });
  const backlogGroups = [...groupBy(o.backlog)].sort(([a], [b]) => a.localeCompare(b)).map(([key, list]) => ({ key, ...backlogCellOf(list, o.now) }));
  return {
    groupBy: o.groupBy,
    period: o.period,
    timeZone: o.timeZone,
    from: o.from.toISOString(),
    to: o.to.toISOString(),
    generatedAt: o.now.toISOString(),
    groups,
    total: cellOf(o.tickets),
    backlog: { buckets: BACKLOG_BUCKETS.map((bucket) => bucket.label), groups: backlogGroups, total: backlogCellOf(o.backlog, o.now) },
  };
};

const groupColumn = (group: ReportGroupBy) =>
  group === 'queue' ? tickets.queue : group === 'category' ? tickets.category : group === 'agent' ? tickets.assignee : tickets.channel;

const sampleOf = (startedAt: Date | null, stoppedAt: Date | null, businessMinutes: number, targetMinutes: number | null, breached: boolean): ResponseTimeSample | null =>
  startedAt === null || stoppedAt === null
    ? null
    : { businessMinutes, wallMinutes: (stoppedAt.getTime() - startedAt.getTime()) / MINUTE_MS, breached: targetMinutes === null ? null : breached };

export type LoadResponseTimeReportOptions = {
  db: Db;
  groupBy: ReportGroupBy;
  period: ReportPeriod;
  timeZone: string;
  /** tickets that arrived at or after this instant (default: DEFAULT_REPORT_SPAN before `to`, at a period start) */
  from?: Date;
  /** … and before this one (default: now) */
  to?: Date;
  now: Date;
};

/** The span a report covers when `from`/`to` are not given. */
export const reportSpan = (o: Pick<LoadResponseTimeReportOptions, 'period' | 'timeZone' | 'from' | 'to' | 'now'>): { from: Date; to: Date } => {
  const to = o.to ?? o.now;
  const from = o.from ?? DateTime.fromJSDate(to, { zone: o.timeZone }).minus(DEFAULT_REPORT_SPAN[o.period]).startOf(o.period === 'week' ? 'week' : o.period).toJSDate();
  return { from, to };
};

/** Reads the tickets of the span and the open backlog, and builds the report. */
export const loadResponseTimeReport = (o: LoadResponseTimeReportOptions): ResponseTimeReport => {
  const { from, to } = reportSpan(o);
  const key = groupColumn(o.groupBy);
  const breachCounts = o.db.select({
    ticketId: slaCrossings.ticketId,
    first: sql<number>`sum(case when ${slaCrossings.clock} = 'first_response' then 1 else 0 end)`.as('first'),
    next: sql<number>`sum(case when ${slaCrossings.clock} = 'next_response' then 1 else 0 end)`.as('next'),
    resolution: sql<number>`sum(case when ${slaCrossings.clock} = 'resolution' then 1 else 0 end)`.as('resolution'),
  }).from(slaCrossings).where(eq(slaCrossings.kind, 'breach')).groupBy(slaCrossings.ticketId).as('breach_counts');
  const rows = o.db.select({
    createdAt: tickets.createdAt,
    key,
    sla: {
      frState: ticketSla.firstResponseState,
      frStartedAt: ticketSla.firstResponseStartedAt,
      frStoppedAt: ticketSla.firstResponseStoppedAt,
      frStopReason: ticketSla.firstResponseStopReason,
      frMinutes: ticketSla.firstResponseBusinessMinutes,
      frTarget: ticketSla.firstResponseTargetMinutes,
      frBreached: ticketSla.firstResponseBreached,
      resState: ticketSla.resolutionState,
      resStartedAt: ticketSla.resolutionStartedAt,
      resStoppedAt: ticketSla.resolutionStoppedAt,
      resMinutes: ticketSla.resolutionBusinessMinutes,
      resTarget: ticketSla.resolutionTargetMinutes,
      resBreached: ticketSla.resolutionBreached,
    },
    breachesFirst: breachCounts.first,
    breachesNext: breachCounts.next,
    breachesResolution: breachCounts.resolution,
  }).from(tickets)
    .leftJoin(ticketSla, eq(ticketSla.ticketId, tickets.id))
    .leftJoin(breachCounts, eq(breachCounts.ticketId, tickets.id))
    .where(and(gte(tickets.createdAt, from), lt(tickets.createdAt, to)))
    .all();
  const reportTickets: ReportTicket[] = rows.map((row) => {
    const s = row.sla;
    const answered = s !== null && s.frState === 'stopped' && (s.frStopReason === 'reply' || s.frStopReason === 'auto_reply');
    return {
      createdAt: row.createdAt,
      key: row.key,
      firstResponse: answered ? sampleOf(s.frStartedAt, s.frStoppedAt, s.frMinutes, s.frTarget, s.frBreached) : null,
      unanswered: s !== null && (s.frState === 'running' || s.frState === 'paused'),
      resolution: s !== null && s.resState === 'stopped' ? sampleOf(s.resStartedAt, s.resStoppedAt, s.resMinutes, s.resTarget, s.resBreached) : null,
      breaches: { first_response: Number(row.breachesFirst ?? 0), next_response: Number(row.breachesNext ?? 0), resolution: Number(row.breachesResolution ?? 0) },
    };
  });
  const backlog = o.db.select({ createdAt: tickets.createdAt, key, state: ticketSla.state }).from(tickets)
    .leftJoin(ticketSla, eq(ticketSla.ticketId, tickets.id))
    .where(notInArray(tickets.status, ['resolved', 'closed'])).all();
  return buildResponseTimeReport({ tickets: reportTickets, backlog, groupBy: o.groupBy, period: o.period, timeZone: o.timeZone, from, to, now: o.now });
};
