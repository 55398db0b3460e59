/**
 * Reports on a small, hand-computed history: the response-time report (API and `mailroom report`),
 * /metrics (Prometheus text, behind the API token) and the `sla` section of /health.
 *
 * Berlin office calendar (Mon-Fri 09:00-17:00, UTC+1), policy `standard` (first response 4h):
 *   T1 billing  Mon 16:00, answered Tue 10:30  → 150 business min, 1110 wall min, within
 *   T2 billing  Mon 16:00, answered Wed 10:00  → 600 business min, 2520 wall min, breached
 *   T3 triage   Tue 09:00, never answered      → breach recorded by its timer Tue 13:00
 *   T4 triage   Tue 09:00, answered Tue 10:00  → 60 min; resolved Tue 12:00 (pending 10:00-12:00) → 60 business, 180 wall
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/commands/report.js';
import { API_TOKEN, INBOUND_SECRET } from '../support/harness.js';
import { agentReply, closeSlaHarness, createSlaHarness, fireTimer, newTicket, OFFICE_SLA_YAML, patchTicket, type SlaHarness } from './sla-harness.js';

let h: SlaHarness;
const ids: Record<string, number> = {};
const NOW = '2026-11-25T09:00:00.000Z';

beforeAll(async () => {
  h = await createSlaHarness({ slaYaml: OFFICE_SLA_YAML, now: '2026-11-23T15:00:00.000Z' });
  ids.t1 = await newTicket(h, { from: 'one@example.com', subject: 'Invoice question' });
  ids.t2 = await newTicket(h, { from: 'two@example.com', subject: 'Refund please' });
  await patchTicket(h, ids.t1, { queue: 'billing' });
  await patchTicket(h, ids.t2, { queue: 'billing' });
  h.clock.set('2026-11-24T08:00:00.000Z');
  ids.t3 = await newTicket(h, { from: 'three@example.com', subject: 'Login broken' });
  ids.t4 = await newTicket(h, { from: 'four@example.com', subject: 'Password reset' });
  h.clock.set('2026-11-24T09:00:00.000Z');
  await agentReply(h, ids.t4);
  h.clock.set('2026-11-24T09:30:00.000Z');
  await agentReply(h, ids.t1);
  h.clock.set('2026-11-24T11:00:00.000Z');
  await patchTicket(h, ids.t4, { status: 'resolved' });
  h.clock.set('2026-11-24T12:00:00.000Z');
  await fireTimer(h, ids.t3);
  h.clock.set(NOW);
  await agentReply(h, ids.t2);
});
afterAll(async () => { await closeSlaHarness(h); });

const report = async (query: string) => {
  const res = await h.app.inject({ method: 'GET', url: `/api/reports/response-times?${query}`, headers: h.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('GET /api/reports/response-times', () => {
  it('summarizes first response and resolution per queue and week, in business and wall-clock minutes', async () => {
    const body = await report('group_by=queue&period=week&from=2026-11-01&to=2026-12-01');
    expect(body).toMatchObject({ groupBy: 'queue', period: 'week', timeZone: 'Europe/Berlin', from: '2026-10-31T23:00:00.000Z', to: '2026-11-30T23:00:00.000Z' });
    expect(body.groups.map((g: { key: string }) => g.key)).toEqual(['billing', 'triage']);
    const [billing, triage] = body.groups;
    expect(billing.periods).toHaveLength(1);
    expect(billing.periods[0]).toMatchObject({
      period: '2026-11-23',
      tickets: 2,
      unanswered: 0,
      firstResponse: {
        count: 2,
        business: { average: 375, median: 375, p90: 600, min: 150, max: 600 },
        wall: { average: 1815, median: 1815, p90: 2520 },
        withTarget: 2, withinSla: 0.5, breaches: 1,
      },
      resolution: { count: 0 },
      breaches: { total: 1, first_response: 1, next_response: 0, resolution: 0 },
    });
    expect(triage.total).toMatchObject({
      tickets: 2,
      unanswered: 1,
      firstResponse: { count: 1, business: { average: 60 }, wall: { average: 60 }, withinSla: 1, breaches: 0 },
      resolution: { count: 1, business: { average: 60 }, wall: { average: 180 } },
      breaches: { first_response: 1 },
    });
    expect(body.total).toMatchObject({ tickets: 4, firstResponse: { count: 3, business: { median: 150 } }, breaches: { first_response: 2 } });
    expect(body.backlog.buckets).toEqual(['<1h', '1h-4h', '4h-1d', '1d-3d', '3d-7d', '>7d']);
    expect(body.backlog.groups).toEqual([
      { key: 'billing', open: 2, byAge: expect.objectContaining({ '1d-3d': 2 }), byState: { paused: 2 }, oldestAgeMinutes: 2520 },
      { key: 'triage', open: 1, byAge: expect.objectContaining({ '1d-3d': 1 }), byState: { breached: 1 }, oldestAgeMinutes: 1500 },
    ]);
    expect(body.backlog.total.open).toBe(3);
  });

  it('groups by day, by channel and by agent', async () => {
    const byDay = await report('group_by=channel&period=day&from=2026-11-23&to=2026-11-26');
    expect(byDay.groups).toHaveLength(1);
    expect(byDay.groups[0].key).toBe('webhook');
    expect(byDay.groups[0].periods.map((p: { period: string; tickets: number }) => [p.period, p.tickets])).toEqual([['2026-11-23', 2], ['2026-11-24', 2]]);
    const byAgent = await report('group_by=agent&period=month&from=2026-11-01');
    expect(byAgent.groups.map((g: { key: string }) => g.key)).toEqual(['(none)']);
    expect(byAgent.groups[0].periods[0].period).toBe('2026-11-01');
  });

  it('refuses bad parameters and needs the API token', async () => {
    for (const query of ['group_by=colour', 'period=year', 'from=yesterday', 'tz=Mars/Base', 'from=2026-12-01&to=2026-11-01', 'extra=1']) {
      const res = await h.app.inject({ method: 'GET', url: `/api/reports/response-times?${query}`, headers: h.auth });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code).toBe('INVALID_REQUEST');
    }
    expect((await h.app.inject({ method: 'GET', url: '/api/reports/response-times' })).statusCode).toBe(401);
  });
});

describe('mailroom report', () => {
  const env = () => ({
    MAILROOM_DATA_DIR: path.join(h.dir, 'data'), MAILROOM_RULES_DIR: path.join(h.dir, 'rules'),
    MAILROOM_API_TOKEN: API_TOKEN, MAILROOM_INBOUND_SECRET: INBOUND_SECRET, MAILROOM_LOG_LEVEL: 'silent',
  });
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runReportCommand(argv, env(), { out: (t) => { out += t; }, err: (t) => { err += t; } }, new Date(NOW));
    return { code, out, err };
  };

  it('prints the same figures as the API, as a table or as JSON', async () => {
    const text = await run(['--group-by', 'queue', '--period', 'week', '--from', '2026-11-01', '--to', '2026-12-01']);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toContain('Response times by queue, per week (Europe/Berlin)');
    const billingLine = text.out.split('\n').find((line) => line.startsWith('billing') && line.includes('2026-11-23'))!;
    // average 375 business min = 6h 15m (wall 1815 min = 1d 6h); median the same; p90 10h
    expect(billingLine).toMatch(/billing\s+2026-11-23\s+2\s+2\s+6h 15m \(1d 6h\)\s+6h 15m \(1d 6h\)\s+10h 00m \(1d 18h\)\s+50\.0%\s+1\s+0/);
    expect(text.out).toContain('Backlog now');

    const json = await run(['--group-by', 'queue', '--period', 'week', '--from', '2026-11-01', '--to', '2026-12-01', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(await report('group_by=queue&period=week&from=2026-11-01&to=2026-12-01'));
  });

  it('says what is wrong with its arguments', async () => {
    expect((await run(['--group-by', 'colour'])).code).toBe(2);
    expect((await run(['--period', 'year'])).err).toContain('--period must be one of day, week, month');
    expect((await run(['--from', 'soon'])).err).toContain('--from: expected an ISO date');
    expect((await run(['--bogus'])).code).toBe(2);
  });
});

describe('GET /metrics and /health', () => {
  it('serves Prometheus text behind the API token', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const res = await h.app.inject({ method: 'GET', url: '/metrics', headers: h.auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.body;
    expect(text).toContain('# TYPE mailroom_raw_messages_total counter');
    expect(text).toContain('mailroom_raw_messages_total{channel="webhook"} 4');
    expect(text).toContain('mailroom_tickets_created_total{channel="webhook"} 4');
    expect(text).toContain('mailroom_open_tickets{sla_state="paused"} 2');
    expect(text).toContain('mailroom_open_tickets{sla_state="breached"} 1');
    expect(text).toContain('mailroom_open_tickets{sla_state="on_track"} 0');
    expect(text).toContain('mailroom_sla_breaches_total{clock="first_response",policy="standard"} 2');
    expect(text).toContain('mailroom_sla_warnings_total{clock="first_response",policy="standard"} 2');
    expect(text).toContain('mailroom_sla_timers_overdue 0');
    expect(text).toMatch(/mailroom_queue_jobs\{queue="sla-timer",state="delayed"\} \d+/);
    expect(text).toMatch(/mailroom_queue_jobs\{queue="intake",state="waiting"\} 0/);
    // every sample line is `name{labels} value`
    for (const line of text.trim().split('\n').filter((l) => !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[\d.e+]+$/);
  });

  it('reports the scheduler in /health', async () => {
    const health = (await h.app.inject({ method: 'GET', url: '/health' })).json();
    expect(health.sla).toMatchObject({
      ok: true,
      overdueNotFired: 0,
      config: { source: expect.stringContaining('sla.yaml'), errors: [] },
      ticketsWithTimer: 1, // T3: its resolution warning
    });
    expect(health.sla.timersPending).toBeGreaterThanOrEqual(1);
  });
});
