/**
 * Automatic acknowledgements end to end (intake → effect → outbox → real SMTP): what is sent and with
 * which loop-safety headers, what is never answered, the per-sender hourly limit (kept in the
 * database, so it survives a restart), per-form settings, rule overrides and template overrides.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { eml, tempDir, type Harness } from '../support/harness.js';
import { startSmtpSink, waitFor, type SmtpSink } from '../support/smtp-sink.js';
import { fileMessage, outboundHarness, outboxRows, settleOutbox } from './helpers.js';
import { ticketEvents } from '../../src/db/schema/index.js';

let sink: SmtpSink;
let h: Harness | null = null;

beforeAll(async () => { sink = await startSmtpSink(); });
afterAll(async () => { await sink.close(); });
afterEach(async () => { await h?.close(); h = null; sink.messages.length = 0; });

const skipReasons = (harness: Harness, ticketId: number): string[] =>
  harness.services.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).all()
    .filter((e) => e.type === 'auto_reply_skipped').map((e) => String(e.data.reason));

describe('acknowledgements', () => {
  it('acknowledges a new ticket with the token, threading and every loop-safety header', async () => {
    h = await outboundHarness({ sink });
    const hooked: string[] = [];
    h.services.ticketHooks.push((e) => { hooked.push(e.type); });
    const ticketId = await fileMessage(h, eml({ from: '"Alice <b>Bold</b>" <alice@example.com>', subject: 'Where is my parcel?', messageId: 'q1@example.com' }));
    await waitFor(() => sink.messages.length === 1, { message: 'the acknowledgement' });
    const got = sink.messages[0];
    expect(got.to).toEqual(['alice@example.com']);
    expect(got.from).toBe('support@acme.test');
    expect(got.head).toMatch(/^Auto-Submitted: auto-replied$/m);
    expect(got.head).toMatch(/^X-Auto-Response-Suppress: All$/m);
    expect(got.head).toMatch(/^Precedence: bulk$/m);
    expect(got.head).toMatch(/^X-Mailroom-Loop: mailroom\.local$/m);
    expect(got.head).toMatch(/^In-Reply-To: <q1@example\.com>$/m);
    const parsed = await simpleParser(got.raw);
    expect(parsed.subject).toBe(`We received your message: Where is my parcel? [#${ticketId}]`);
    expect(parsed.text).toContain(`opened\nticket [#${ticketId}]`);
    expect(parsed.text).toContain('Hello Alice <b>Bold</b>,');
    expect(parsed.html).toContain('Hello Alice &lt;b&gt;Bold&lt;/b&gt;,');
    await settleOutbox(h);
    expect(outboxRows(h)).toEqual([expect.objectContaining({ kind: 'acknowledgement', state: 'sent', ticketId })]);
    const types = h.services.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).all().map((e) => e.type);
    expect(types).toContain('auto_reply_sent');
    expect(hooked).toContain('auto_reply_sent');

    // The customer answers the acknowledgement: it joins the ticket and is not acknowledged again.
    const follow = await fileMessage(h, eml({ from: 'alice@example.com', subject: `Re: ${parsed.subject}`, inReplyTo: got.messageId! }));
    expect(follow).toBe(ticketId);
    await settleOutbox(h);
    expect(sink.messages).toHaveLength(1);
    expect(skipReasons(h, ticketId)).toEqual([]);
  });

  it('never answers automated, list, no-reply or suppressed mail, and says why on the ticket', async () => {
    h = await outboundHarness({ sink, limit: 100 });
    const cases: Array<[string, Buffer, RegExp]> = [
      ['auto-reply', eml({ from: 'bob@example.com', subject: 'Out of office', extraHeaders: ['Auto-Submitted: auto-replied'] }), /automatic reply itself/],
      ['list', eml({ from: 'news@example.com', subject: 'Our newsletter', extraHeaders: ['List-Id: <news.example.com>', 'List-Unsubscribe: <mailto:u@example.com>'] }), /list or bulk/],
      ['noreply', eml({ from: 'no-reply@shop.example', subject: 'Your order' }), /no person reads/],
      ['mailer-daemon', eml({ from: 'MAILER-DAEMON@mx.example', subject: 'Hello' }), /no person reads|bounce/],
      ['suppress', eml({ from: 'carol@example.com', subject: 'Meeting', extraHeaders: ['X-Auto-Response-Suppress: All'] }), /asked for no automatic replies|automatic reply itself/],
      ['null return-path', eml({ from: 'dave@example.com', subject: 'Note', extraHeaders: ['Return-Path: <>'] }), /null Return-Path/],
      ['our own address', eml({ from: 'support@acme.test', subject: 'Note to self' }), /loop|own address/],
      ['our own loop header', eml({ from: 'erin@example.com', subject: 'Echo', extraHeaders: ['X-Mailroom-Loop: mailroom.local'] }), /loop/],
    ];
    for (const [what, raw, reason] of cases) {
      const ticketId = await fileMessage(h, raw);
      const reasons = skipReasons(h, ticketId);
      expect(reasons, what).toHaveLength(1);
      expect(reasons[0], what).toMatch(reason);
    }
    await settleOutbox(h);
    expect(outboxRows(h)).toHaveLength(0);
    expect(sink.messages).toHaveLength(0);
  });

  it('sends at most N per sender per hour, counted in the database across a restart', async () => {
    const dir = tempDir();
    h = await outboundHarness({ sink, limit: 3 }, { dir });
    for (let i = 0; i < 5; i++) await fileMessage(h, eml({ from: 'flood@example.com', subject: `Topic ${i}` }));
    await fileMessage(h, eml({ from: 'other@example.com', subject: 'Unrelated' }));
    await settleOutbox(h);
    expect(sink.messages.filter((m) => m.to[0] === 'flood@example.com')).toHaveLength(3);
    expect(sink.messages.filter((m) => m.to[0] === 'other@example.com')).toHaveLength(1);
    await h.close();

    h = await outboundHarness({ sink, limit: 3 }, { dir });
    const sixth = await fileMessage(h, eml({ from: 'flood@example.com', subject: 'Topic 6' }));
    expect(skipReasons(h, sixth)[0]).toMatch(/already got 3 automatic replies in the last hour \(limit 3/);
    h.clock.advance(61 * 60 * 1000);
    await fileMessage(h, eml({ from: 'flood@example.com', subject: 'Topic 7' }));
    await settleOutbox(h);
    expect(sink.messages.filter((m) => m.to[0] === 'flood@example.com')).toHaveLength(4);
  });

  it('follows the per-form and per-mailbox settings', async () => {
    h = await outboundHarness({ sink, acknowledge: false });
    await fileMessage(h, eml({ subject: 'Mailbox has acknowledgements off' }));
    const form = await h.app.inject({
      method: 'POST', url: '/forms/contact', headers: { accept: 'application/json' },
      payload: { name: 'Frank', email: 'frank@example.com', subject: 'From the form', message: 'Hello from the website' },
    });
    expect(form.statusCode).toBeLessThan(300);
    await h.drain();
    await settleOutbox(h);
    // The default form acknowledges; the mailbox (support) does not, but the form's setting is its own.
    expect(sink.messages.map((m) => m.to[0])).toEqual(['frank@example.com']);
    expect(sink.messages[0].from).toBe('support@acme.test');
  });

  it('lets rules turn acknowledgements off or pick another template, and a local template override the bundled one', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'rules'), { recursive: true });
    mkdirSync(path.join(dir, 'templates'), { recursive: true });
    writeFileSync(path.join(dir, 'rules', '10-test.yaml'), [
      'rules:',
      '  - name: quiet',
      '    when: { subject: { contains: [quiet] } }',
      '    then: { acknowledge: false }',
      '  - name: faq',
      '    when: { subject: { contains: [shipping] } }',
      '    then: { auto_reply: shipping-faq }',
      '  - name: broken',
      '    when: { subject: { contains: [broken] } }',
      '    then: { auto_reply: broken-template }',
      '',
    ].join('\n'));
    writeFileSync(path.join(dir, 'templates', 'shipping-faq.liquid'), '---\nsubject: "Shipping times {{ ticket.token }}"\n---\nParcels take 3 days, {{ customer.name }}. {{ customer.constructor }}{{ ticket.__proto__ }}\n');
    writeFileSync(path.join(dir, 'templates', 'broken-template.liquid'), 'Hello {{ customer.name | no_such_filter }}\n');
    writeFileSync(path.join(dir, 'templates', 'acknowledgement.liquid'), '---\nsubject: "Local ack"\n---\nLocal acknowledgement for {{ ticket.token }}\n');
    h = await outboundHarness({ sink }, { dir, env: { MAILROOM_TEMPLATES_DIR: path.join(dir, 'templates') } });

    const quiet = await fileMessage(h, eml({ subject: 'please be quiet', from: 'q@example.com' }));
    expect(skipReasons(h, quiet)[0]).toMatch(/a rule turned the automatic reply off/);
    const faq = await fileMessage(h, eml({ subject: 'shipping question', from: 'Sam <s@example.com>' }));
    const broken = await fileMessage(h, eml({ subject: 'broken template', from: 'b@example.com' }));
    expect(skipReasons(h, broken)[0]).toMatch(/broken-template.*no_such_filter|undefined filter/i);
    const plain = await fileMessage(h, eml({ subject: 'plain question', from: 'p@example.com' }));
    await settleOutbox(h);

    const byTo = new Map(sink.messages.map((m) => [m.to[0], m]));
    expect(byTo.has('q@example.com')).toBe(false);
    expect(byTo.has('b@example.com')).toBe(false);
    const faqMail = await simpleParser(byTo.get('s@example.com')!.raw);
    expect(faqMail.subject).toBe(`Shipping times [#${faq}]`);
    expect(faqMail.text?.trim()).toBe('Parcels take 3 days, Sam.');
    const plainMail = await simpleParser(byTo.get('p@example.com')!.raw);
    expect(plainMail.subject).toBe(`Local ack [#${plain}]`);
    expect(outboxRows(h).find((r) => r.ticketId === faq)?.kind).toBe('auto-reply');
  });
});
