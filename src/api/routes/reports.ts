/**
 * GET /api/reports/response-times: first-response and resolution times per queue, category, agent or
 * channel and per day, week or month, with the backlog by age. Definitions: src/sla/response-time-report.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DateTime } from 'luxon';
import { AppError } from '../../errors.js';
import type { Services } from '../../services.js';
import { defaultCalendarOf } from '../../sla/live-sla-config.js';
import { loadResponseTimeReport, REPORT_GROUPS, REPORT_PERIODS, type ReportGroupBy, type ReportPeriod } from '../../sla/response-time-report.js';
import { isValidTimeZone } from '../../sla/zone-timeline.js';
import { bearerSecurity, type App } from '../types.js';

const Nullable = <T extends ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);

const Distribution = Type.Object({
  average: Nullable(Type.Number()), median: Nullable(Type.Number()), p90: Nullable(Type.Number()), min: Nullable(Type.Number()), max: Nullable(Type.Number()),
}, { description: 'minutes' });

const Summary = Type.Object({
  count: Type.Integer({ description: 'responses (or resolutions) measured' }),
  business: Distribution,
  wall: Distribution,
  withTarget: Type.Integer(),
  withinSla: Nullable(Type.Number({ description: 'share (0..1) of those with a target that met it' })),
  breaches: Type.Integer(),
});

const Cell = Type.Object({
  tickets: Type.Integer(),
  firstResponse: Summary,
  unanswered: Type.Integer({ description: 'tickets still waiting for a first response' }),
  resolution: Summary,
  breaches: Type.Object({ total: Type.Integer(), first_response: Type.Integer(), next_response: Type.Integer(), resolution: Type.Integer() }),
});

const Backlog = Type.Object({
  open: Type.Integer(),
  byAge: Type.Record(Type.String(), Type.Integer()),
  byState: Type.Record(Type.String(), Type.Integer()),
  oldestAgeMinutes: Nullable(Type.Number()),
});

export const ResponseTimeReportSchema = Type.Object({
  groupBy: Type.String(),
  period: Type.String(),
  timeZone: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  generatedAt: Type.String({ format: 'date-time' }),
  groups: Type.Array(Type.Object({
    key: Type.String(),
    periods: Type.Array(Type.Intersect([Type.Object({ period: Type.String({ description: 'first local date of the period' }) }), Cell])),
    total: Cell,
  })),
  total: Cell,
  backlog: Type.Object({
    buckets: Type.Array(Type.String()),
    groups: Type.Array(Type.Intersect([Type.Object({ key: Type.String() }), Backlog])),
    total: Backlog,
  }),
});

const Query = Type.Object({
  group_by: Type.Union(REPORT_GROUPS.map((g) => Type.Literal(g)), { default: 'queue' }),
  period: Type.Union(REPORT_PERIODS.map((p) => Type.Literal(p)), { default: 'week' }),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO date (local midnight in tz) or date-time; default: 30 days / 12 weeks / 12 months back' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO date or date-time, exclusive; default: now' })),
  tz: Type.Optional(Type.String({ maxLength: 64, description: 'IANA zone for periods and dates; default: the default SLA policy calendar zone' })),
}, { additionalProperties: false });

/** An ISO date (midnight in `zone`) or date-time; throws INVALID_REQUEST naming the parameter. */
export const parseReportInstant = (name: string, text: string | undefined, zone: string): Date | undefined => {
  if (text === undefined) return undefined;
  const parsed = DateTime.fromISO(text, { zone });
  if (!parsed.isValid) throw new AppError('INVALID_REQUEST', `${name}: expected an ISO date or date-time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z`);
  return parsed.toJSDate();
};

export type ReportQuery = Static<typeof Query>;

export const reportRoutes = async (app: App, services: Services): Promise<void> => {
  app.get('/api/reports/response-times', {
    schema: {
      tags: ['reports'],
      summary: 'First-response and resolution times (average, median, p90; business and wall-clock minutes), share within SLA, breaches, backlog by age',
      description: 'Tickets count in the period they arrived. Business minutes are on each ticket\'s SLA calendar. See docs/sla.md.',
      security: bearerSecurity,
      querystring: Query,
      response: { 200: ResponseTimeReportSchema, 400: { $ref: 'ErrorResponse#' } },
    },
  }, async (request) => {
    const q = request.query;
    const timeZone = q.tz ?? defaultCalendarOf(services.decider.sla().config).timeZone;
    if (!isValidTimeZone(timeZone)) throw new AppError('INVALID_REQUEST', `tz: unknown time zone "${timeZone}"`);
    const from = parseReportInstant('from', q.from, timeZone);
    const to = parseReportInstant('to', q.to, timeZone);
    if (from && to && from >= to) throw new AppError('INVALID_REQUEST', 'from must be before to');
    return loadResponseTimeReport({
      db: services.db, groupBy: q.group_by as ReportGroupBy, period: q.period as ReportPeriod, timeZone, from, to, now: services.clock.now(),
    });
  });
};
