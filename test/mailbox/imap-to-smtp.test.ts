/**
 * Mail in through IMAP, out through SMTP, in one installation with both modules as `serve` loads them:
 * a customer's message in Dovecot becomes a ticket and is acknowledged over SMTP; the agent's reply
 * goes out threaded; the bounce of that reply, arriving in the same IMAP mailbox, marks the reply
 * bounced on the ticket. Skips only when the dovecot binary is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createHarness, eml, type Harness } from '../support/harness.js';
import { dovecotMissingReason, startDovecot, type Dovecot } from '../support/dovecot.js';
import { startSmtpSink, waitFor, type SmtpSink } from '../support/smtp-sink.js';
import { createMailboxModule } from '../../src/mailbox/mailbox-module.js';
import { createOutboundModule } from '../../src/outbound/outbound-module.js';
import { outbox, ticketEvents, tickets } from '../../src/db/schema/index.js';

const missing = dovecotMissingReason();
if (missing) console.warn(`test/mailbox/imap-to-smtp.test.ts: ${missing}`);

describe.skipIf(Boolean(missing))('IMAP in, SMTP out', () => {
  let dc: Dovecot;
  let sink: SmtpSink;
  let h: Harness;
  const user = { name: 'support', password: 'secret-pw' };

  beforeAll(async () => {
    dc = await startDovecot({ users: [user] });
    sink = await startSmtpSink();
    h = await createHarness({
      configYaml: [
        'mailboxes:',
        '  - name: support',
        '    address: support@acme.test',
        '    fromName: ACME Support',
        '    imap:',
        `      host: ${dc.host}`,
        `      port: ${dc.port}`,
        '      secure: false',
        `      user: ${user.name}`,
        `      password: ${user.password}`,
        '      afterImport: { moveTo: Archive }',
        'smtp:',
        `  host: ${sink.host}`,
        `  port: ${sink.port}`,
        '  retryBaseSeconds: 0.05',
        '',
      ].join('\n'),
      modules: [createOutboundModule(), createMailboxModule({ reconnect: { baseMs: 100, maxMs: 500 } })],
    });
  });
  afterAll(async () => {
    await h?.close();
    await sink?.close();
    await dc?.close();
  });

  it('acknowledges, replies and matches the bounce', async () => {
    await dc.append(user, [eml({ from: 'Alice <alice@example.com>', to: 'support@acme.test', subject: 'Broken blender', messageId: 'blender@example.com' })]);
    await waitFor(() => sink.messages.length === 1, { message: 'the acknowledgement' });
    const ticket = h.services.db.select().from(tickets).get()!;
    expect(ticket).toMatchObject({ channel: 'imap', mailbox: 'support', subject: 'Broken blender' });
    expect(sink.messages[0].head).toMatch(/^In-Reply-To: <blender@example\.com>$/m);
    expect(sink.messages[0].head).toMatch(new RegExp(`\\[#${ticket.id}\\]`));

    const res = await h.app.inject({ method: 'POST', url: `/api/tickets/${ticket.id}/replies`, headers: h.auth, payload: { body: 'Please send it back.' } });
    expect(res.statusCode).toBe(201);
    const replyId = res.json().messageId as string;
    await waitFor(() => sink.messages.length === 2, { message: 'the reply' });

    const bounce = Buffer.from([
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      'To: support@acme.test',
      'Subject: Undelivered Mail Returned to Sender',
      'Date: Mon, 23 Nov 2026 10:10:00 +0000',
      'Message-ID: <bounce-1@mx.example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'This is the mail system at host mx.example.com.',
      '',
      '<alice@example.com>: mailbox unavailable',
      '',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.com',
      '',
      'Final-Recipient: rfc822; alice@example.com',
      'Action: failed',
      'Status: 5.2.1',
      'Diagnostic-Code: smtp; 550 5.2.1 mailbox unavailable',
      '',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      'From: ACME Support <support@acme.test>',
      `Message-ID: <${replyId}>`,
      '',
      '--B--',
      '',
    ].join('\r\n'));
    await dc.append(user, [bounce]);
    await waitFor(() => h.services.db.select().from(outbox).where(eq(outbox.messageId, replyId)).get()?.state === 'bounced', { message: 'the reply to be marked bounced' });
    const events = h.services.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticket.id)).all().map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['auto_reply_sent', 'reply_sent', 'first_response', 'reply_bounced']));
    // The bounce was never acknowledged, and everything imported was moved out of INBOX.
    expect(sink.messages).toHaveLength(2);
    await waitFor(async () => (await dc.list(user, 'INBOX')).length === 0 && (await dc.list(user, 'Archive')).length === 2, { message: 'both messages archived' });
    const channels = await h.app.inject({ method: 'GET', url: '/api/channels', headers: h.auth });
    expect(channels.json().outbox).toMatchObject({ smtp: { configured: true }, counts: { sent: 1, bounced: 1, queued: 0 } });
  });
});
