/**
 * The outbox against a real SMTP server that misbehaves on demand: a 4xx then success is delivered
 * exactly once, a 5xx fails with the server's answer, a server that is down for a while gets every
 * message exactly once when it is back, and with no SMTP configured mail stays queued (and /health
 * says so) until a restart with SMTP sends it. One run on BullMQ with several concurrent consumers
 * checks that the atomic claim keeps every message to one delivery.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { eml, tempDir, type Harness } from '../support/harness.js';
import { startSmtpSink, waitFor, type SmtpSink } from '../support/smtp-sink.js';
import { fileMessage, outboundHarness, outboxRows, settleOutbox } from './helpers.js';
import { outbox, ticketEvents } from '../../src/db/schema/index.js';
import { sendOutboxMessage } from '../../src/outbound/send-outbox-message.js';
import type { Mailer } from '../../src/outbound/create-mailer.js';

let sink: SmtpSink;
let h: Harness | null = null;

beforeAll(async () => { sink = await startSmtpSink(); });
afterAll(async () => { await sink.close(); });
afterEach(async () => {
  await h?.close();
  h = null;
  sink.messages.length = 0;
  sink.refused.length = 0;
  sink.respondWith(null);
  if (!sink.running) await sink.start();
});

const reply = (harness: Harness, ticketId: number, body = 'Thanks, we are on it.') =>
  harness.app.inject({ method: 'POST', url: `/api/tickets/${ticketId}/replies`, headers: harness.auth, payload: { body } });

/** Every accepted copy at the sink, counted by Message-ID. */
const deliveries = () => {
  const byId = new Map<string, number>();
  for (const m of sink.messages) byId.set(m.messageId ?? '', (byId.get(m.messageId ?? '') ?? 0) + 1);
  return byId;
};

describe('outbox delivery', () => {
  it('retries a 4xx and delivers exactly once', async () => {
    h = await outboundHarness({ sink, acknowledge: false });
    const ticketId = await fileMessage(h);
    sink.failNext(2, 451);
    const res = await reply(h, ticketId);
    expect(res.statusCode).toBe(201);
    await settleOutbox(h);
    const [row] = outboxRows(h);
    expect(row.state).toBe('sent');
    expect(row.attempts).toBe(3);
    expect(sink.refused.map((r) => r.code)).toEqual([451, 451]);
    expect(deliveries().get(res.json().messageId)).toBe(1);
    expect(sink.messages).toHaveLength(1);
  });

  it('fails a 5xx at once, keeping the server\'s answer, and tells the ticket', async () => {
    h = await outboundHarness({ sink, acknowledge: false });
    const ticketId = await fileMessage(h);
    sink.failNext(1, 550, '5.1.1 <alice@example.com>: Recipient address rejected: User unknown');
    await reply(h, ticketId);
    await settleOutbox(h);
    const [row] = outboxRows(h);
    expect(row.state).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.serverResponse).toMatch(/^550 5\.1\.1 .*User unknown/);
    expect(row.lastError).toMatch(/rejected by the SMTP server \(550\)/);
    expect(row.failedAt).not.toBeNull();
    expect(sink.messages).toHaveLength(0);
    const events = h.services.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).all();
    expect(events.find((e) => e.type === 'reply_failed')?.data).toMatchObject({ outboxId: row.id, serverResponse: expect.stringMatching(/User unknown/) });
  });

  it('gives up after smtp.maxAttempts temporary failures', async () => {
    h = await outboundHarness({ sink, acknowledge: false, maxAttempts: 3 });
    const ticketId = await fileMessage(h);
    sink.respondWith(() => ({ code: 421, message: '4.3.2 Service shutting down' }));
    await reply(h, ticketId);
    await settleOutbox(h);
    const [row] = outboxRows(h);
    expect(row).toMatchObject({ state: 'failed', attempts: 3 });
    expect(row.lastError).toMatch(/gave up after 3 attempts/);
    expect(sink.refused).toHaveLength(3);
  });

  it('delivers everything exactly once after the server was down for a while', async () => {
    h = await outboundHarness({ sink, acknowledge: false, maxAttempts: 50 });
    const ticketIds: number[] = [];
    for (let i = 0; i < 4; i++) ticketIds.push(await fileMessage(h, eml({ subject: `Question ${i}`, from: `customer${i}@example.com` })));
    await sink.stop();
    const ids: string[] = [];
    for (const t of ticketIds) ids.push((await reply(h, t)).json().messageId);
    // Every message is tried and fails while the server is away (connection refused → retry).
    await waitFor(() => outboxRows(h!).every((r) => r.attempts >= 2 && r.state === 'queued'), { message: 'failed attempts while the server is down' });
    expect(outboxRows(h).every((r) => /ECONNECTION|ECONNREFUSED|connect/i.test(r.lastError ?? ''))).toBe(true);
    await sink.start();
    await settleOutbox(h);
    expect(outboxRows(h).map((r) => r.state)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const got = deliveries();
    expect([...got.keys()].sort()).toEqual([...ids].sort());
    expect([...got.values()]).toEqual([1, 1, 1, 1]);
  });

  it('keeps mail queued without SMTP, says so in /health, and sends it after a restart with SMTP', async () => {
    const dir = tempDir();
    const noSmtp = await outboundHarness({ sink: null, acknowledge: true }, { dir });
    h = noSmtp;
    await fileMessage(noSmtp);
    const ticketId = await fileMessage(noSmtp, eml({ subject: 'Second' }));
    await reply(noSmtp, ticketId);
    const health = await noSmtp.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().outbox).toMatchObject({ ok: true, smtpConfigured: false, queued: 3 });
    expect(health.json().outbox.detail).toMatch(/no SMTP server configured.*3 message\(s\) held/);
    expect(outboxRows(noSmtp).map((r) => [r.state, r.attempts])).toEqual([['queued', 0], ['queued', 0], ['queued', 0]]);
    await noSmtp.close();

    h = await outboundHarness({ sink, acknowledge: true }, { dir });
    await settleOutbox(h);
    expect(outboxRows(h).map((r) => r.state)).toEqual(['sent', 'sent', 'sent']);
    expect(sink.messages).toHaveLength(3);
    const after = await h.app.inject({ method: 'GET', url: '/health' });
    expect(after.json().outbox).toMatchObject({ ok: true, smtpConfigured: true, queued: 0 });
  });

  it('sends each row once with BullMQ and several concurrent consumers', async () => {
    h = await outboundHarness({ sink, acknowledge: false, extraSmtp: '  maxConnections: 4' }, { queue: 'bullmq' });
    const ticketId = await fileMessage(h);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await reply(h, ticketId, `Reply ${i}`)).json().messageId);
    sink.failNext(3, 450);
    await settleOutbox(h);
    expect(outboxRows(h).every((r) => r.state === 'sent')).toBe(true);
    const got = deliveries();
    expect(got.size).toBe(20);
    expect([...got.values()].every((n) => n === 1)).toBe(true);
  });

  it('claims a row once even when two senders race for it', async () => {
    h = await outboundHarness({ sink: null, acknowledge: false });
    const ticketId = await fileMessage(h);
    await reply(h, ticketId);
    const [row] = outboxRows(h);
    let sends = 0;
    const slow: Mailer = {
      describe: 'test',
      async send() { sends++; await new Promise((r) => setTimeout(r, 50)); return { response: '250 ok', accepted: ['alice@example.com'], rejected: [] }; },
      close() {},
    };
    const opts = { db: h.services.db, blobs: h.services.blobs, mailer: slow, outboxId: row.id, now: () => h!.clock.now(), retry: { baseMs: 10, maxMs: 10, maxAttempts: 3 } };
    const outcomes = await Promise.all([sendOutboxMessage(opts), sendOutboxMessage(opts), sendOutboxMessage(opts)]);
    expect(outcomes.filter((o) => o.status === 'sent')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'not-claimed')).toHaveLength(2);
    expect(sends).toBe(1);
    expect(h.services.db.select().from(outbox).where(eq(outbox.id, row.id)).get()!.state).toBe('sent');
  });
});
