/**
 * POST /api/tickets/:id/replies over a real SMTP conversation: what the receiving server gets
 * (From, To, threading headers, token, Message-ID), what the ticket records, and the bad input the
 * route refuses. Header injection is checked on the bytes the SMTP server received.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { eml, type Harness } from '../support/harness.js';
import { startSmtpSink, waitFor, type SmtpSink } from '../support/smtp-sink.js';
import { fileMessage, outboundHarness, outboxRows, settleOutbox } from './helpers.js';
import { messages, ticketEvents, tickets } from '../../src/db/schema/index.js';

let sink: SmtpSink;
let h: Harness;

beforeAll(async () => { sink = await startSmtpSink(); });
afterAll(async () => { await sink.close(); });
afterEach(async () => { await h?.close(); sink.messages.length = 0; });

const reply = (ticketId: number, payload: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: `/api/tickets/${ticketId}/replies`, headers: h.auth, payload });

/** The header block of a received message, unfolded, as name → values. */
const headersOf = (head: string): Map<string, string[]> => {
  const map = new Map<string, string[]>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([^:]+):\s?(.*)$/.exec(line);
    if (m) map.set(m[1].toLowerCase(), [...(map.get(m[1].toLowerCase()) ?? []), m[2]]);
  }
  return map;
};

describe('agent replies', () => {
  it('sends a threaded reply from the mailbox, records it on the ticket and marks the first response', async () => {
    h = await outboundHarness({ sink, acknowledge: false });
    const ticketId = await fileMessage(h, eml({
      from: 'Alice Example <alice@example.com>', subject: 'Help with my order', messageId: 'first@example.com',
      references: '<root@example.com>', inReplyTo: 'root@example.com',
    }));

    const hooked: Array<{ type: string; actor: string; data: Record<string, unknown> }> = [];
    h.services.ticketHooks.push((e) => { hooked.push(e); });
    const res = await reply(ticketId, { body: 'Hello Alice,\nyour parcel left today.\n', agent: 'agent-7' });
    expect(res.statusCode).toBe(201);
    const out = res.json();
    expect(out).toMatchObject({ state: 'queued', ticketStatus: 'pending', firstResponse: true, subject: `Re: Help with my order [#${ticketId}]` });
    expect(out.messageId).toMatch(/@mailroom\.local$/);

    await waitFor(() => sink.messages.length === 1, { message: 'the reply at the SMTP server' });
    const got = sink.messages[0];
    expect(got.from).toBe('support@acme.test');
    expect(got.to).toEqual(['alice@example.com']);
    expect(got.messageId).toBe(out.messageId);
    const head = headersOf(got.head);
    expect(head.get('in-reply-to')).toEqual(['<first@example.com>']);
    expect(head.get('references')).toEqual(['<root@example.com> <first@example.com>']);
    expect(head.get('subject')).toEqual([`Re: Help with my order [#${ticketId}]`]);
    expect(head.get('from')?.[0]).toBe('ACME Support <support@acme.test>');
    expect(head.get('x-mailroom-loop')).toEqual(['mailroom.local']);
    expect(head.has('auto-submitted')).toBe(false);
    const parsed = await simpleParser(got.raw);
    expect(parsed.text).toContain('your parcel left today.');
    expect(parsed.text).toContain(`[#${ticketId}]`);

    await settleOutbox(h);
    const [row] = outboxRows(h);
    expect(row).toMatchObject({ state: 'sent', attempts: 1, kind: 'reply', ticketId });
    expect(row.serverResponse).toMatch(/^250 /);

    const t = h.services.db.select().from(tickets).where(eq(tickets.id, ticketId)).get()!;
    expect(t.status).toBe('pending');
    expect(t.firstResponseAt?.toISOString()).toBe('2026-11-23T10:00:00.000Z');
    const outbound = h.services.db.select().from(messages).where(eq(messages.ticketId, ticketId)).all().filter((m) => m.direction === 'outbound');
    expect(outbound).toHaveLength(1);
    expect(outbound[0].messageId).toBe(out.messageId);
    const types = h.services.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).all().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['reply_sent', 'first_response', 'status_changed']));
    // The same events reached the ticket hooks (SLA clocks, routing leases) after commit.
    expect(hooked.map((e) => e.type)).toEqual(['reply_sent', 'first_response', 'status_changed']);
    expect(hooked[0]).toMatchObject({ actor: 'agent-7', data: { by: 'agent-7', outboxId: expect.any(Number), messageId: out.messageId } });
    expect(hooked[2].data).toMatchObject({ from: 'new', to: 'pending' });

    // A second reply: no second first_response; the customer's answer to it threads into the ticket.
    h.clock.advance(60_000);
    const second = await reply(ticketId, { body: 'One more thing.' });
    expect(second.json().firstResponse).toBe(false);
    await waitFor(() => sink.messages.length === 2);
    const again = h.services.db.select().from(tickets).where(eq(tickets.id, ticketId)).get()!;
    expect(again.firstResponseAt?.toISOString()).toBe('2026-11-23T10:00:00.000Z');
    const firsts = h.services.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).all().filter((e) => e.type === 'first_response');
    expect(firsts).toHaveLength(1);

    const answer = await fileMessage(h, eml({ from: 'alice@example.com', subject: 'Re: Help with my order', inReplyTo: out.messageId }));
    expect(answer).toBe(ticketId);
    expect(h.services.db.select().from(tickets).where(eq(tickets.id, ticketId)).get()!.status).toBe('open');
  });

  it('sends cc and attachments, and lists the ticket\'s outgoing mail', async () => {
    h = await outboundHarness({ sink, acknowledge: false });
    const ticketId = await fileMessage(h);
    const pdf = Buffer.from('%PDF-1.4 not really a pdf\n');
    const res = await reply(ticketId, {
      body: 'See attached.', cc: ['Bob@Example.com'],
      attachments: [{ filename: '../../etc/invoice.pdf', contentType: 'application/pdf', content: pdf.toString('base64') }],
    });
    expect(res.statusCode).toBe(201);
    await waitFor(() => sink.messages.length === 1);
    const got = sink.messages[0];
    expect(got.to.sort()).toEqual(['alice@example.com', 'bob@example.com']);
    const parsed = await simpleParser(got.raw);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].filename).toBe('.._.._etc_invoice.pdf'.replace(/^\.+/, ''));
    expect(parsed.attachments[0].content.equals(pdf)).toBe(true);
    expect((parsed.cc as { value: Array<{ address: string }> }).value.map((a) => a.address)).toEqual(['bob@example.com']);

    await settleOutbox(h);
    const list = await h.app.inject({ method: 'GET', url: `/api/tickets/${ticketId}/replies`, headers: h.auth });
    expect(list.statusCode).toBe(200);
    expect(list.json().outgoing).toEqual([expect.objectContaining({ kind: 'reply', state: 'sent', attempts: 1, cc: [{ name: '', address: 'bob@example.com' }] })]);
    const ticket = await h.app.inject({ method: 'GET', url: `/api/tickets/${ticketId}`, headers: h.auth });
    const shown = ticket.json().messages.find((m: { direction: string }) => m.direction === 'outbound');
    expect(shown.attachments).toEqual([expect.objectContaining({ contentType: 'application/pdf', size: pdf.length })]);
  });

  it('refuses bad input: empty body 400, unknown ticket 404, CR/LF in cc 400, bad base64 400, oversized 413, no token 401', async () => {
    h = await outboundHarness({ sink, acknowledge: false });
    const ticketId = await fileMessage(h);
    expect((await reply(ticketId, { body: '' })).statusCode).toBe(400);
    expect((await reply(ticketId, { body: '  \n\t ' })).statusCode).toBe(400);
    expect((await reply(999_999, { body: 'hello' })).statusCode).toBe(404);
    const crlf = await reply(ticketId, { body: 'hello', cc: ['bob@example.com\r\nBcc: eve@evil.test'] });
    expect(crlf.statusCode).toBe(400);
    expect(crlf.json().error.message).toMatch(/line break/);
    expect((await reply(ticketId, { body: 'hello', cc: ['Bob <bob@example.com>'] })).statusCode).toBe(400);
    expect((await reply(ticketId, { body: 'hello', attachments: [{ filename: 'a.txt', contentType: 'text/plain', content: '***' }] })).statusCode).toBe(400);
    expect((await reply(ticketId, { body: 'hello', attachments: [{ filename: 'a.txt', contentType: 'text/plain\r\nX: 1', content: 'aGk=' }] })).statusCode).toBe(400);
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 7).toString('base64');
    expect((await reply(ticketId, { body: 'hello', attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', content: big }] })).statusCode).toBe(413);
    expect((await reply(ticketId, { body: 'hello', extra: 1 })).statusCode).toBe(400);
    expect((await reply(ticketId, { body: 'hello', agent: 'a\r\nb' })).statusCode).toBe(400);
    const noAuth = await h.app.inject({ method: 'POST', url: `/api/tickets/${ticketId}/replies`, payload: { body: 'hello' } });
    expect(noAuth.statusCode).toBe(401);
    expect(outboxRows(h)).toHaveLength(0);
    expect(sink.messages).toHaveLength(0);
  });

  it('never lets CR/LF in a customer name or subject become a header', async () => {
    h = await outboundHarness({ sink, acknowledge: true, fromName: 'ACME Support' });
    // RFC 2047 encoded words decode to CR/LF: the parser hands Mailroom "Eve\r\nBcc: ..." as the name.
    const name = '=?utf-8?Q?Eve=0D=0ABcc=3A_victim=40evil=2Etest?=';
    const subject = '=?utf-8?Q?Order_=0D=0ABcc=3A_victim2=40evil=2Etest=0D=0A=0D=0Ainjected_body?=';
    const ticketId = await fileMessage(h, eml({ from: `${name} <eve@example.com>`, subject }));
    await waitFor(() => sink.messages.length === 1, { message: 'the acknowledgement' });
    const res = await reply(ticketId, { body: 'Answer.\r\nBcc: victim3@evil.test' });
    expect(res.statusCode).toBe(201);
    await waitFor(() => sink.messages.length === 2, { message: 'the reply' });
    for (const got of sink.messages) {
      expect(got.to).toEqual(['eve@example.com']);
      const head = headersOf(got.head);
      expect(head.has('bcc')).toBe(false);
      expect(got.head).not.toMatch(/^bcc:/im);
      expect(got.head).not.toMatch(/^injected_body/im);
      expect(head.get('subject')).toHaveLength(1);
      for (const [field, values] of head) expect(values.join('')).not.toMatch(/[\r\n]/), void field;
      const parsed = await simpleParser(got.raw);
      expect(parsed.bcc).toBeUndefined();
      expect(parsed.subject).not.toMatch(/[\r\n]/);
    }
  });

  it('409 when the ticket\'s mailbox has no address to send from', async () => {
    h = await outboundHarness({ sink, acknowledge: false });
    const ticketId = await fileMessage(h);
    h.services.db.update(tickets).set({ mailbox: 'elsewhere' }).where(eq(tickets.id, ticketId)).run();
    // smtp.from is the fallback: it is set in mailConfigYaml, so the reply goes out from help@acme.test.
    const res = await reply(ticketId, { body: 'hello' });
    expect(res.statusCode).toBe(201);
    await waitFor(() => sink.messages.length === 1);
    expect(sink.messages[0].from).toBe('help@acme.test');
    h.services.db.update(tickets).set({ status: 'closed' }).where(eq(tickets.id, ticketId)).run();
    expect((await reply(ticketId, { body: 'hello' })).statusCode).toBe(409);
  });
});
