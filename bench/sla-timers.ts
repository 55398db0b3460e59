/**
 * SLA timers benchmark, on the real code path (database, syncTicketSla, queue drivers, the SLA module).
 *
 * Part 1 — 100,000 open tickets with running clocks, in a SQLite database, on rules/sla.yaml (Berlin
 *   office hours with holidays; New York long days): every ticket's SLA computed and stored once (what
 *   the sweep does after sla.yaml changes), then a fresh process-like start: the time and the memory
 *   to queue every stored timer again on the inline driver (what `mailroom serve` does at start).
 * Part 2 — fire accuracy with real timers: N tickets on a 24x7 policy with second-scale targets, four
 *   crossings each, spread over ~30 s; the SLA module's timers record them. Reported: lateness
 *   (recorded − due) p50/p99/max, and how many crossings were recorded twice or missed (both must be 0).
 *   Inline driver, then BullMQ when Redis answers at REDIS_URL (default redis://127.0.0.1:6379).
 *
 *   node --expose-gc --import tsx bench/sla-timers.ts [tickets=100000] [accuracyTickets=2000]
 *
 * Prints figures; asserts nothing about time.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { customers, slaCrossings, ticketEvents, tickets, ticketSla } from '../src/db/schema/index.js';
import { createLogger } from '../src/logger.js';
import type { QueueDriver } from '../src/queue/queue-driver.js';
import { createServices, type Services } from '../src/services.js';
import { buildSlaTimeline } from '../src/sla/build-sla-timeline.js';
import { computeSlaClocks } from '../src/sla/compute-clocks.js';
import { percentile } from '../src/sla/measure.js';
import { rebuildSlaTimers } from '../src/sla/rebuild-sla-timers.js';
import { createSlaModule } from '../src/sla/sla-module.js';
import { slaTimerJob } from '../src/sla/sla-jobs.js';
import { syncTicketSla } from '../src/sla/sync-ticket-sla.js';
import { repoRoot } from './lib/shared-data.js';

const TICKETS = Number(process.argv[2] ?? 100_000);
const ACCURACY_TICKETS = Number(process.argv[3] ?? 2_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const gc = () => { if (global.gc) { global.gc(); global.gc(); } };
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small deterministic generator (mulberry32), so every run builds the same tickets. */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const quietLog = createLogger('silent');

const openServices = async (dir: string, rulesDir: string, queue?: QueueDriver): Promise<Services> =>
  createServices({
    config: loadConfig({
      MAILROOM_DATA_DIR: path.join(dir, 'data'), MAILROOM_RULES_DIR: rulesDir, MAILROOM_LOG_LEVEL: 'silent',
      MAILROOM_API_TOKEN: 'bench-api-token-0123456789', MAILROOM_INBOUND_SECRET: 'bench-inbound-secret-0123456789',
    }, dir),
    log: quietLog,
    queue,
  });

type Plan = { start: number; queue: string; priority: 'normal' | 'high'; events: Array<{ type: string; data: Record<string, unknown>; at: number }>; status: 'open' | 'new' };

/** Writes customers, tickets and their events in one transaction (the way intake files them, minus the mail). */
const populate = (services: Services, plans: Plan[]): number[] => {
  const { db } = services;
  return db.transaction((tx) => {
    const customerIds: number[] = [];
    const customerCount = Math.max(1, Math.ceil(plans.length / 10));
    for (let i = 0; i < customerCount; i++) {
      customerIds.push(tx.insert(customers).values({ email: `c${i}-${randomUUID().slice(0, 8)}@example.com`, domain: 'example.com', createdAt: new Date(plans[0].start) })
        .returning({ id: customers.id }).get().id);
    }
    const ids: number[] = [];
    plans.forEach((plan, i) => {
      const id = tx.insert(tickets).values({
        subject: `Bench ticket ${i}`, subjectKey: `bench ticket ${i}`, status: plan.status, customerId: customerIds[i % customerIds.length],
        channel: 'webhook', queue: plan.queue, priority: plan.priority, messageCount: 1,
        createdAt: new Date(plan.start), updatedAt: new Date(plan.start), lastCustomerMessageAt: new Date(plan.start),
      }).returning({ id: tickets.id }).get().id;
      ids.push(id);
      tx.insert(ticketEvents).values(plan.events.map((e) => ({ ticketId: id, type: e.type, actor: 'system', data: e.data, at: new Date(e.at) }))).run();
    });
    return ids;
  });
};

// ---------------------------------------------------------------------------------------------------
// Part 1: 100,000 open tickets, rebuild at start (inline).

const part1 = async () => {
  const dir = path.join(tmpdir(), `mailroom-bench-sla-${randomUUID()}`);
  mkdirSync(dir, { recursive: true });
  const rulesDir = path.join(dir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(path.join(rulesDir, 'sla.yaml'), (await import('node:fs')).readFileSync(path.join(repoRoot, 'rules', 'sla.yaml')));
  // Now: Tuesday 2025-12-09 10:17 UTC (office hours in Berlin, early morning in New York).
  const now = new Date(Date.UTC(2025, 11, 9, 10, 17));
  const random = seeded(2025);
  const plans: Plan[] = [];
  for (let i = 0; i < TICKETS; i++) {
    // Arrived within the last 3 days; 70% wait for a first response, 30% for a next response.
    const start = now.getTime() - Math.floor(random() * 3 * DAY) - MINUTE;
    const queue = random() < 0.3 ? 'us-support' : random() < 0.5 ? 'billing' : 'triage';
    const events: Plan['events'] = [{ type: 'message_received', data: { automated: false }, at: start }];
    if (random() < 0.3) {
      const reply = start + Math.floor(random() * (now.getTime() - start) * 0.5);
      const again = reply + Math.floor(random() * (now.getTime() - reply));
      events.push({ type: 'reply_sent', data: {}, at: reply }, { type: 'status_changed', data: { from: 'open', to: 'pending' }, at: reply },
        { type: 'status_changed', data: { from: 'pending', to: 'open' }, at: again }, { type: 'message_received', data: { automated: false }, at: again });
    }
    plans.push({ start, queue, priority: 'normal', status: 'open', events });
  }
  let services = await openServices(dir, rulesDir);
  const clock = { now: () => now };
  services = { ...services, clock };
  let started = performance.now();
  const ids = populate(services, plans);
  const populateMs = performance.now() - started;

  started = performance.now();
  let crossings = 0;
  for (const id of ids) crossings += (await syncTicketSla({ services, ticketId: id })).crossings.length;
  const syncMs = performance.now() - started;
  const withTimer = services.db.select({ n: sql<number>`count(*)` }).from(ticketSla).where(sql`${ticketSla.timerAt} is not null`).get()!.n;
  const states = services.db.select({ state: ticketSla.state, n: sql<number>`count(*)` }).from(ticketSla).groupBy(ticketSla.state).all();
  await services.close();

  // A new start: fresh inline driver (no timers), same database.
  gc();
  const restarted = { ...(await openServices(dir, rulesDir)), clock };
  gc();
  const before = process.memoryUsage();
  started = performance.now();
  const rebuilt = await rebuildSlaTimers({ services: restarted });
  const rebuildMs = performance.now() - started;
  gc();
  const after = process.memoryUsage();
  const counts = await restarted.queue.counts(slaTimerJob);
  await restarted.close();
  rmSync(dir, { recursive: true, force: true });

  console.log(`Part 1 — ${TICKETS.toLocaleString('en')} open tickets with running clocks (rules/sla.yaml), SQLite, inline driver`);
  console.log(`  populate tickets + events: ${seconds(populateMs)}`);
  console.log(`  compute and store every ticket's SLA (syncTicketSla, one transaction each): ${seconds(syncMs)}, ${(TICKETS / (syncMs / 1000)).toFixed(0)} tickets/s, ${((syncMs * 1000) / TICKETS).toFixed(0)} µs/ticket; ${crossings.toLocaleString('en')} crossings recorded`);
  console.log(`  tickets by SLA state: ${states.map((s) => `${s.state} ${s.n.toLocaleString('en')}`).join(', ')}; with a timer: ${withTimer.toLocaleString('en')}`);
  console.log(`  rebuild at start (queue every stored timer): ${rebuilt.timers.toLocaleString('en')} timers (${rebuilt.overdue} overdue) in ${rebuildMs.toFixed(0)} ms; driver holds ${counts.delayed.toLocaleString('en')} delayed`);
  console.log(`  memory for the timers: heap used ${mib(before.heapUsed)} → ${mib(after.heapUsed)} (+${mib(after.heapUsed - before.heapUsed)}), rss ${mib(before.rss)} → ${mib(after.rss)}; ~${((after.heapUsed - before.heapUsed) / Math.max(1, rebuilt.timers)).toFixed(0)} bytes/timer`);
};

// ---------------------------------------------------------------------------------------------------
// Part 2: fire accuracy on real timers.

const FAST_SLA_YAML = `
policies:
  - name: fast
    default: true
    calendar: 24x7
    warn_at: 0.5
    targets: { first_response: 30s, resolution: 40s }
`;

/**
 * `spreadMs` > 0: clocks started over the last `spreadMs` (crossings spread out); 0: every clock started
 * at the same instant, so each of the four crossings comes due for every ticket at once — the Monday
 * 09:00 case, when everything that arrived over the weekend starts its clock when the office opens.
 */
const accuracy = async (driver: 'inline' | 'bullmq', spreadMs: number) => {
  const dir = path.join(tmpdir(), `mailroom-bench-sla-${randomUUID()}`);
  const rulesDir = path.join(dir, 'rules');
  mkdirSync(rulesDir, { recursive: true });
  writeFileSync(path.join(rulesDir, 'sla.yaml'), FAST_SLA_YAML);
  let queue: QueueDriver | undefined;
  const prefix = `mrbench-${randomUUID()}`;
  if (driver === 'bullmq') {
    const { createBullmqDriver } = await import('../src/queue/bullmq-driver.js');
    queue = createBullmqDriver({ redisUrl: REDIS_URL, prefix });
  }
  const services = await openServices(dir, rulesDir, queue);
  const module = createSlaModule({ sweepIntervalMs: 0 });
  const stop = (await module.start!(services, 'server')) ?? (async () => undefined);
  await module.ready(services);

  // Clocks started up to `spreadMs` ago: crossings fall 15, 20, 30 and 40 s after each start.
  const t0 = Date.now();
  const random = seeded(7);
  const plans: Plan[] = Array.from({ length: ACCURACY_TICKETS }, () => {
    const start = t0 - Math.floor(random() * spreadMs);
    return { start, queue: 'triage', priority: 'normal', status: 'open', events: [{ type: 'message_received', data: { automated: false }, at: start }] };
  });
  const ids = populate(services, plans);
  const setupStarted = Date.now();
  for (const id of ids) await syncTicketSla({ services, ticketId: id });
  const setupEnded = Date.now();
  const expectedPerTicket = 4;
  const lastDue = Math.max(...plans.map((p) => p.start)) + 40_000;
  const expected = ids.length * expectedPerTicket;
  const recordedCount = () => services.db.select({ n: sql<number>`count(*)` }).from(slaCrossings).get()!.n;
  while (Date.now() < lastDue + 5_000 && recordedCount() < expected) await sleep(200);

  const now = new Date();
  const rows = services.db.select({ ticketId: slaCrossings.ticketId, key: slaCrossings.key, at: slaCrossings.at, recordedAt: slaCrossings.recordedAt }).from(slaCrossings).all();
  const lateness = rows.filter((r) => r.at.getTime() > setupEnded).map((r) => r.recordedAt.getTime() - r.at.getTime()).sort((a, b) => a - b);
  const twice = services.db.select({ n: sql<number>`count(*)` }).from(
    sql`(select ticket_id, json_extract(data, '$.key') as k, count(*) as c from ${ticketEvents} where type in ('sla_warning','sla_breach') group by 1, 2 having c > 1)`,
  ).get()!.n;
  // Missed: what the clocks say is due by now, minus what was recorded.
  const recorded = new Set(rows.map((r) => `${r.ticketId}:${r.key}`));
  const policy = services.decider.sla().config!.defaultPolicy;
  const calendar = services.decider.sla().config!.calendars.get(policy.calendar)!;
  let due = 0;
  let missed = 0;
  for (const id of ids) {
    const history = services.db.select({ type: ticketEvents.type, data: ticketEvents.data, at: ticketEvents.at }).from(ticketEvents).where(sql`${ticketEvents.ticketId} = ${id}`).all();
    for (const crossing of computeSlaClocks({ policy, calendar, events: buildSlaTimeline(history), now }).crossings) {
      due++;
      if (!recorded.has(`${id}:${crossing.key}`)) missed++;
    }
  }
  const stats = module.stats(services)!;
  await stop();
  if (driver === 'bullmq') {
    const { Queue } = await import('bullmq');
    for (const name of [slaTimerJob.name, 'sla-webhook']) {
      const q = new Queue(name, { connection: { url: REDIS_URL }, prefix });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
  }
  await services.close();
  rmSync(dir, { recursive: true, force: true });

  const shape = spreadMs > 0 ? `spread over ~${seconds(lastDue - t0 + spreadMs - 15_000)}` : `in 4 bursts of ${ids.length.toLocaleString('en')} due at the same instant`;
  console.log(`Part 2 — fire accuracy, ${driver}: ${ids.length.toLocaleString('en')} tickets × ${expectedPerTicket} crossings ${shape}; setup (compute + queue timers) ${seconds(setupEnded - setupStarted)}`);
  console.log(`  due by the end: ${due.toLocaleString('en')}; recorded: ${rows.length.toLocaleString('en')}; recorded twice: ${twice}; missed: ${missed}`);
  console.log(`  lateness (recorded − due) of ${lateness.length.toLocaleString('en')} crossings due after setup: p50 ${percentile(lateness, 0.5)} ms, p99 ${percentile(lateness, 0.99)} ms, max ${lateness.at(-1)} ms; within 1 s: ${((lateness.filter((l) => l <= 1000).length / Math.max(1, lateness.length)) * 100).toFixed(2)}%`);
  console.log(`  timer jobs run: ${stats.fires.toLocaleString('en')} (stale: ${stats.staleFires})`);
};

const redisAnswers = async (): Promise<boolean> => {
  const { Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
};

console.log(`SLA timers bench — Node ${process.version}${global.gc ? '' : ' (run with --expose-gc for steadier memory figures)'}`);
await part1();
const withRedis = await redisAnswers();
for (const spreadMs of [6_000, 0]) {
  await accuracy('inline', spreadMs);
  if (withRedis) await accuracy('bullmq', spreadMs);
  else console.log(`Part 2 — bullmq: skipped (no Redis at ${REDIS_URL})`);
}
