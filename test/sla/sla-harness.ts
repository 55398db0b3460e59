/**
 * Helpers for the SLA integration suites: a harness whose rules directory holds a given sla.yaml and
 * rule files, the ticket's SLA row and events read straight from the database, a timer fired the way
 * the `sla-timer` job fires it, an agent reply written the way the outbox writes one, and a bounded poll.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { slaCrossings, ticketEvents, tickets, ticketSla } from '../../src/db/schema/index.js';
import { createSlaModule } from '../../src/sla/sla-module.js';
import { syncTicketSla, type SyncTicketSlaResult } from '../../src/sla/sync-ticket-sla.js';
import { insertTicketEvents, type TicketEventRecord } from '../../src/tickets/ticket-events.js';
import { createHarness, eml, postInbound, tempDir, type Harness, type HarnessOptions } from '../support/harness.js';

/** An office calendar (Berlin, Mon-Fri 09:00-17:00) with a standard and an urgent policy. */
export const OFFICE_SLA_YAML = `
defaults:
  warn_at: 0.75
  pause_statuses: [pending]
calendars:
  - name: office
    time_zone: Europe/Berlin
    hours:
      mon: ["09:00-17:00"]
      tue: ["09:00-17:00"]
      wed: ["09:00-17:00"]
      thu: ["09:00-17:00"]
      fri: ["09:00-17:00"]
    holidays:
      - { date: 2026-12-25, name: Christmas Day }
policies:
  - name: urgent
    calendar: 24x7
    match: { priority: urgent }
    targets: { first_response: 30m, next_response: 1h, resolution: 8h }
  - name: vip
    calendar: office
    targets: { first_response: 1h, next_response: 2h, resolution: 1d }
    match: { customer_tier: platinum }
  - name: standard
    default: true
    calendar: office
    targets: { first_response: 4h, next_response: 8h, resolution: 3d }
`;

export type SlaHarnessOptions = Omit<HarnessOptions, 'dir' | 'modules'> & {
  dir?: string;
  slaYaml?: string | null;
  /** rule files: name → YAML text */
  rules?: Record<string, string>;
  sweepIntervalMs?: number;
};

export type SlaHarness = Harness & { module: ReturnType<typeof createSlaModule>; ownsDir: boolean };

/** Writes the rules directory (when `slaYaml`/`rules` are given) and starts a harness with the SLA module. */
export const createSlaHarness = async (opts: SlaHarnessOptions = {}): Promise<SlaHarness> => {
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? tempDir('mailroom-sla-');
  const rulesDir = path.join(dir, 'rules');
  if (opts.slaYaml !== undefined || opts.rules !== undefined) {
    mkdirSync(rulesDir, { recursive: true });
    if (opts.slaYaml) writeFileSync(path.join(rulesDir, 'sla.yaml'), opts.slaYaml);
    for (const [name, text] of Object.entries(opts.rules ?? {})) writeFileSync(path.join(rulesDir, name), text);
  }
  const module = createSlaModule({ sweepIntervalMs: opts.sweepIntervalMs ?? 0 });
  const h = await createHarness({ ...opts, dir, modules: [module] });
  await module.ready(h.services);
  return Object.assign(h, { module, ownsDir });
};

export const closeSlaHarness = async (h: SlaHarness | undefined, removeDir = true): Promise<void> => {
  if (!h) return;
  await h.close();
  if (removeDir && h.ownsDir) rmSync(h.dir, { recursive: true, force: true });
};

/** Posts a message, waits for intake, returns the ticket id. */
export const newTicket = async (h: Harness, o: Parameters<typeof eml>[0] = {}): Promise<number> => {
  const res = await postInbound(h, eml(o));
  if (res.statusCode !== 202) throw new Error(`inbound answered ${res.statusCode}: ${res.body}`);
  await h.drain();
  const row = h.services.db.select({ id: tickets.id }).from(tickets).orderBy(tickets.id).all().at(-1);
  if (!row) throw new Error('no ticket was filed');
  return row.id;
};

export const slaRow = (h: Harness, ticketId: number) => h.services.db.select().from(ticketSla).where(eq(ticketSla.ticketId, ticketId)).get();

export const crossingsOf = (h: Harness, ticketId: number) =>
  h.services.db.select().from(slaCrossings).where(eq(slaCrossings.ticketId, ticketId)).orderBy(slaCrossings.at, slaCrossings.id).all();

export const eventsOf = (h: Harness, ticketId: number, type?: string) =>
  h.services.db.select().from(ticketEvents)
    .where(type ? and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.type, type)) : eq(ticketEvents.ticketId, ticketId))
    .orderBy(ticketEvents.at, ticketEvents.id).all();

/** Runs the ticket's current timer as the `sla-timer` job would (its generation from the row). */
export const fireTimer = async (h: Harness, ticketId: number, generation?: number): Promise<SyncTicketSlaResult> =>
  syncTicketSla({ services: h.services, ticketId, firedGeneration: generation ?? slaRow(h, ticketId)!.timerGeneration });

/**
 * An agent's reply, written as src/outbound/send-reply.ts writes it (ticket pending, first_response_at
 * once; events reply_sent, status_changed, first_response) and handed to the ticket hooks.
 */
export const agentReply = async (h: Harness, ticketId: number): Promise<TicketEventRecord[]> => {
  const now = h.clock.now();
  const { db } = h.services;
  const records = db.transaction((tx) => {
    const current = tx.select({ status: tickets.status, firstResponseAt: tickets.firstResponseAt }).from(tickets).where(eq(tickets.id, ticketId)).get()!;
    tx.update(tickets).set({ status: 'pending', updatedAt: now, ...(current.firstResponseAt === null ? { firstResponseAt: now } : {}) }).where(eq(tickets.id, ticketId)).run();
    const events: TicketEventRecord[] = [{ ticketId, type: 'reply_sent', actor: 'agent', data: { outboxId: 1, messageId: 'reply@test' }, at: now }];
    if (current.status !== 'pending') events.push({ ticketId, type: 'status_changed', actor: 'agent', data: { from: current.status, to: 'pending', reason: 'agent replied' }, at: now });
    if (current.firstResponseAt === null) events.push({ ticketId, type: 'first_response', actor: 'agent', data: { outboxId: 1, at: now.toISOString() }, at: now });
    insertTicketEvents(tx, events);
    return events;
  });
  await h.services.emitTicketEvents(records);
  return records;
};

/** PATCHes the ticket through the API (events go to the hooks like any agent's change). */
export const patchTicket = async (h: Harness, ticketId: number, payload: Record<string, unknown>) => {
  const res = await h.app.inject({ method: 'PATCH', url: `/api/tickets/${ticketId}`, headers: h.auth, payload });
  if (res.statusCode !== 200) throw new Error(`PATCH answered ${res.statusCode}: ${res.body}`);
  return res.json();
};

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export const waitFor = async <T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

export const iso = (at: Date | null | undefined): string | null => (at ? at.toISOString() : null);
