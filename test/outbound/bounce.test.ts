/**
 * Bounces of our own mail: a DSN naming the Message-ID of a sent reply marks its outbox row bounced
 * with the recipient's status and diagnostic and adds `reply_bounced` to the ticket; a delay notice
 * only adds `reply_delayed`; the bounce itself is never acknowledged.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { type Harness } from '../support/harness.js';
import { startSmtpSink, waitFor, type SmtpSink } from '../support/smtp-sink.js';
import { fileMessage, outboundHarness, outboxRows, settleOutbox } from './helpers.js';
import { ticketEvents } from '../../src/db/schema/index.js';

let sink: SmtpSink;
let h: Harness | null = null;

beforeAll(async () => { sink = await startSmtpSink(); });
afterAll(async () => { await sink.close(); });
afterEach(async () => { await h?.close(); h = null; sink.messages.length = 0; });

const dsn = ({ messageId, action, status, diagnostic }: { messageId: string; action: string; status: string; diagnostic: string }) => Buffer.from([
  'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
  'To: support@acme.test',
  `Subject: ${action === 'delayed' ? 'Delayed Mail (still being retried)' : 'Undelivered Mail Returned to Sender'}`,
  'Date: Mon, 23 Nov 2026 10:05:00 +0000',
  `Message-ID: <dsn-${Math.random().toString(36).slice(2)}@mx.example.com>`,
  'Auto-Submitted: auto-replied',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
  '',
  '--BOUNDARY',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  'This is the mail system at host mx.example.com.',
  '',
  "I'm sorry to have to inform you that your message could not",
  'be delivered to one or more recipients.',
  '',
  `<alice@example.com>: host mx.example.com said: ${diagnostic}`,
  '',
  '--BOUNDARY',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; mx.example.com',
  '',
  'Final-Recipient: rfc822; alice@example.com',
  `Action: ${action}`,
  `Status: ${status}`,
  `Diagnostic-Code: smtp; ${diagnostic}`,
  '',
  '--BOUNDARY',
  'Content-Type: text/rfc822-headers',
  '',
  'From: ACME Support <support@acme.test>',
  'To: alice@example.com',
  'Subject: Re: Help with my order',
  `Message-ID: <${messageId}>`,
  '',
  '--BOUNDARY--',
  '',
].join('\r\n'));

describe('bounces of our mail', () => {
  it('marks the outbox row bounced and files the bounce on the ticket it concerns', async () => {
    h = await outboundHarness({ sink, acknowledge: false });
    const ticketId = await fileMessage(h);
    const sent = await h.app.inject({ method: 'POST', url: `/api/tickets/${ticketId}/replies`, headers: h.auth, payload: { body: 'Here you go.' } });
    const messageId = sent.json().messageId as string;
    await settleOutbox(h);

    const bounceTicket = await fileMessage(h, dsn({ messageId, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown' }));
    // The bounce is threaded by the returned message's id: no new ticket for an agent to triage.
    expect(bounceTicket).toBe(ticketId);
    const [row] = outboxRows(h);
    expect(row.state).toBe('bounced');
    expect(row.bounceReason).toMatch(/alice@example\.com: 5\.1\.1 .*User unknown/);
    const events = h.services.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).all();
    const bounced = events.find((e) => e.type === 'reply_bounced');
    expect(bounced?.data).toMatchObject({ outboxId: row.id, messageId, bounceTicketId: bounceTicket });
    // Same ticket: the reply_bounced event says it all, no separate bounce_matched cross-reference.
    const onBounceTicket = h.services.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, bounceTicket)).all().map((e) => e.type);
    expect(onBounceTicket).toContain('reply_bounced');
    expect(onBounceTicket).not.toContain('bounce_matched');

    const replies = await h.app.inject({ method: 'GET', url: `/api/tickets/${ticketId}/replies`, headers: h.auth });
    expect(replies.json().outgoing[0]).toMatchObject({ state: 'bounced', bounceReason: expect.stringMatching(/User unknown/) });
    // The bounce got no acknowledgement (the mailbox acknowledges, but never bounces).
    await settleOutbox(h);
    expect(sink.messages).toHaveLength(1);
  });

  it('records a delay notice without marking the row bounced, and ignores bounces of mail we never sent', async () => {
    h = await outboundHarness({ sink, acknowledge: false });
    const ticketId = await fileMessage(h);
    const sent = await h.app.inject({ method: 'POST', url: `/api/tickets/${ticketId}/replies`, headers: h.auth, payload: { body: 'Here you go.' } });
    await waitFor(() => sink.messages.length === 1);
    await settleOutbox(h);
    await fileMessage(h, dsn({ messageId: sent.json().messageId, action: 'delayed', status: '4.4.1', diagnostic: '451 4.4.1 connection timed out' }));
    expect(outboxRows(h)[0].state).toBe('sent');
    const types = h.services.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).all().map((e) => e.type);
    expect(types).toContain('reply_delayed');
    expect(types).not.toContain('reply_bounced');

    await fileMessage(h, dsn({ messageId: 'someone-else@elsewhere.example', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 User unknown' }));
    expect(outboxRows(h).map((r) => r.state)).toEqual(['sent']);
  });
});
