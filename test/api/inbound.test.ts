import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signBody } from '../../src/api/auth.js';
import { rawMessages, tickets } from '../../src/db/schema/index.js';
import { createHarness, eml, INBOUND_SECRET, postInbound, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => { h = await createHarness({ env: { MAILROOM_MAX_MESSAGE_BYTES: String(64 * 1024) } }); });
afterEach(async () => { await h.close(); });

const getJson = async (url: string) => {
  const res = await h.app.inject({ method: 'GET', url, headers: h.auth });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('POST /api/inbound/email', () => {
  it('accepts a message, stores it before answering, and files it as a ticket', async () => {
    const res = await postInbound(h, eml({ subject: 'Where is my parcel?' }));
    expect(res.statusCode).toBe(202);
    const { id, status } = res.json();
    expect(status).toBe('accepted');
    expect(h.services.db.select().from(rawMessages).where(eq(rawMessages.id, id)).get()).toBeTruthy();
    await h.drain();
    const list = await getJson('/api/tickets');
    expect(list.total).toBe(1);
    expect(list.tickets[0]).toMatchObject({ subject: 'Where is my parcel?', status: 'new', customerEmail: 'alice@example.com', queue: 'triage' });
    const detail = await getJson(`/api/tickets/${list.tickets[0].id}`);
    expect(detail.messages).toHaveLength(1);
    expect(detail.messages[0].visibleText).toContain('order #4711');
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(['created', 'message_received']);
  });

  it('says duplicate for the same bytes and for the same Message-ID, and files one ticket', async () => {
    const raw = eml({ messageId: 'same@example.com' });
    const a = await postInbound(h, raw);
    const b = await postInbound(h, raw);
    const c = await postInbound(h, eml({ messageId: 'same@example.com', body: 'resent with other bytes' }));
    expect(b.json()).toEqual({ id: a.json().id, status: 'duplicate' });
    expect(c.json()).toEqual({ id: a.json().id, status: 'duplicate' });
    await h.drain();
    expect((await getJson('/api/tickets')).total).toBe(1);
  });

  it('files the same message delivered twice concurrently exactly once', async () => {
    const raw = eml({ messageId: 'race@example.com' });
    const results = await Promise.all(Array.from({ length: 8 }, () => postInbound(h, raw)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(202));
    expect(results.filter((r) => r.json().status === 'accepted')).toHaveLength(1);
    await h.drain();
    const detail = await getJson(`/api/tickets/${(await getJson('/api/tickets')).tickets[0].id}`);
    expect(detail.messages).toHaveLength(1);
  });

  it('refuses a missing or wrong secret with 401 and stores nothing', async () => {
    const none = await h.app.inject({ method: 'POST', url: '/api/inbound/email', headers: { 'content-type': 'message/rfc822' }, payload: eml() });
    const wrong = await postInbound(h, eml(), { authorization: 'Bearer not-the-secret-at-all' });
    const badSig = await h.app.inject({ method: 'POST', url: '/api/inbound/email', headers: { 'content-type': 'message/rfc822', 'x-mailroom-signature': 'sha256=00' }, payload: eml() });
    for (const r of [none, wrong, badSig]) {
      expect(r.statusCode).toBe(401);
      expect(r.json().error.code).toBe('UNAUTHORIZED');
    }
    expect(h.services.db.select().from(rawMessages).all()).toHaveLength(0);
  });

  it('accepts an HMAC-SHA256 signature of the body instead of the bearer secret', async () => {
    const raw = eml();
    const res = await h.app.inject({
      method: 'POST', url: '/api/inbound/email',
      headers: { 'content-type': 'application/octet-stream', 'x-mailroom-signature': signBody(INBOUND_SECRET, raw) }, payload: raw,
    });
    expect(res.statusCode).toBe(202);
  });

  it('answers 413 over the size limit, 400 on an empty body, 415 on JSON', async () => {
    const big = eml({ body: 'x'.repeat(70 * 1024) });
    const tooBig = await postInbound(h, big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const empty = await postInbound(h, Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe('EMPTY_BODY');
    const json = await postInbound(h, '{"a":1}', { 'content-type': 'application/json' });
    expect(json.statusCode).toBe(415);
  });

  it('stores bytes that are not MIME at all and quarantines them with a reason; retry works and is refused twice', async () => {
    const garbage = Buffer.from([0x00, 0xff, 0x13, 0x37, ...Buffer.from('\r\n\r\nnot an email at all')]);
    const { id } = (await postInbound(h, garbage)).json();
    await h.drain();
    const failed = await getJson('/api/intake/failed');
    expect(failed.total).toBe(1);
    expect(failed.failed[0]).toMatchObject({ id, channel: 'webhook' });
    expect(failed.failed[0].error).toMatch(/cannot tell who wrote it/);
    const raw = await h.app.inject({ method: 'GET', url: failed.failed[0].rawUrl, headers: h.auth });
    expect(Buffer.from(raw.rawPayload).equals(garbage)).toBe(true);

    const retry = await h.app.inject({ method: 'POST', url: `/api/intake/${id}/retry`, headers: h.auth });
    expect(retry.statusCode).toBe(202);
    await h.drain();
    expect((await getJson('/api/intake/failed')).total).toBe(1);
    h.services.db.update(rawMessages).set({ state: 'processed' }).where(eq(rawMessages.id, id)).run();
    const conflict = await h.app.inject({ method: 'POST', url: `/api/intake/${id}/retry`, headers: h.auth });
    expect(conflict.statusCode).toBe(409);
  });

  it('files a message with no Message-ID, broken headers and a bogus charset', async () => {
    const raw = Buffer.from([
      'From: "Bröken Name <bob@example.com>',
      'To: support@acme.test',
      'Subject: =?x-unknown-charset?Q?Caf=E9?= and =?utf-8?B?8J+YgA==?=',
      'Date: yesterday-ish',
      'Content-Type: text/plain; charset=x-no-such-charset',
      'X-Broken-Header-Without-Colon',
      '',
      'Body text in an unknown charset: caf\xe9',
    ].join('\r\n'), 'latin1');
    await postInbound(h, raw);
    await h.drain();
    const list = await getJson('/api/tickets');
    expect(list.total).toBe(1);
    const detail = await getJson(`/api/tickets/${list.tickets[0].id}`);
    expect(detail.messages[0].messageId).toMatch(/^raw-\d+@mailroom\.local$/);
    expect(detail.messages[0].subject).toContain('😀');
    expect(detail.messages[0].text).toContain('Body text');
  });

  it('parses deeply nested multiparts and quarantines a message over the MIME part limit', async () => {
    const deep = (() => {
      let body = 'Content-Type: text/plain\r\n\r\ndeep leaf\r\n';
      for (let d = 30; d >= 0; d--) body = `Content-Type: multipart/mixed; boundary="d${d}"\r\n\r\n--d${d}\r\n${body}--d${d}--\r\n`;
      return Buffer.from(`From: deep@example.com\r\nTo: support@acme.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}`);
    })();
    const many = (() => {
      let s = 'From: parts@example.com\r\nTo: support@acme.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n';
      for (let i = 0; i < 1000; i++) s += `--p\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
      return Buffer.from(`${s}--p--\r\n`);
    })();
    await postInbound(h, deep);
    await postInbound(h, many);
    await h.drain();
    const list = await getJson('/api/tickets');
    expect(list.tickets.map((t: { subject: string }) => t.subject)).toEqual(['deep']);
    const detail = await getJson(`/api/tickets/${list.tickets[0].id}`);
    expect(detail.messages[0].text).toContain('deep leaf');
    const failed = await getJson('/api/intake/failed');
    expect(failed.failed[0].error).toMatch(/more than 500 MIME parts/);
  });

  it('threads a reply into the ticket, reopens a resolved ticket, and keeps other customers apart', async () => {
    await postInbound(h, eml({ messageId: 'first@example.com', subject: 'Refund please' }));
    await h.drain();
    const ticketId = (await getJson('/api/tickets')).tickets[0].id;
    h.services.db.update(tickets).set({ status: 'resolved' }).where(eq(tickets.id, ticketId)).run();

    await postInbound(h, eml({ inReplyTo: 'first@example.com', subject: 'Re: Refund please', body: 'Thanks!\r\n\r\nOn Mon, Alice wrote:\r\n> old' }));
    await postInbound(h, eml({ from: 'Bob <bob@example.com>', subject: 'Re: Refund please' }));
    await h.drain();
    const list = await getJson('/api/tickets');
    expect(list.total).toBe(2);
    const detail = await getJson(`/api/tickets/${ticketId}`);
    expect(detail.ticket.status).toBe('open');
    expect(detail.messages).toHaveLength(2);
    expect(detail.events.map((e: { type: string }) => e.type)).toContain('reopened');
  });

  it('sanitizes HTML before an agent sees it and serves attachments as downloads', async () => {
    const raw = Buffer.from([
      'From: eve@example.com', 'To: support@acme.test', 'Subject: html', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="m"', '',
      '--m', 'Content-Type: text/html; charset=utf-8', '',
      '<p onclick="steal()">Hi<script>alert(1)</script><img src="https://tracker.test/p.gif"><a href="javascript:alert(2)">x</a></p>',
      '--m', 'Content-Type: text/html; name="evil.html"', 'Content-Disposition: attachment; filename="evil.html"', '',
      '<script>alert(3)</script>',
      '--m--', '',
    ].join('\r\n'));
    await postInbound(h, raw);
    await h.drain();
    const detail = await getJson(`/api/tickets/${(await getJson('/api/tickets')).tickets[0].id}`);
    const html: string = detail.messages[0].html;
    expect(html).toContain('Hi');
    expect(html).not.toMatch(/script|onclick|javascript:|tracker\.test\/p\.gif"/);
    expect(html).toContain('remote image from tracker.test not loaded');
    const att = detail.messages[0].attachments[0];
    const dl = await h.app.inject({ method: 'GET', url: att.url, headers: h.auth });
    expect(dl.headers['content-type']).toBe('application/octet-stream');
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="evil.html"/);
  });
});

describe('authentication and health', () => {
  it('requires the API token on /api routes', async () => {
    for (const url of ['/api/tickets', '/api/tickets/1', '/api/intake/failed', '/api/messages/1/raw']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      const wrong = await h.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer wrong-token-xxxxxxxxxx' } });
      expect(wrong.statusCode, url).toBe(401);
    }
  });

  it('reports database and queue in /health and serves the OpenAPI document', async () => {
    const health = await h.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', database: { ok: true }, queue: { ok: true, driver: 'inline' } });
    const doc = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(expect.arrayContaining(['/api/inbound/email', '/api/tickets', '/api/tickets/{id}', '/api/intake/failed']));
  });

  it('returns the original bytes of a message', async () => {
    const raw = eml({ subject: 'bytes' });
    await postInbound(h, raw);
    await h.drain();
    const detail = await getJson(`/api/tickets/${(await getJson('/api/tickets')).tickets[0].id}`);
    const res = await h.app.inject({ method: 'GET', url: `/api/messages/${detail.messages[0].id}/raw`, headers: h.auth });
    expect(res.headers['content-type']).toContain('message/rfc822');
    expect(Buffer.from(res.rawPayload).equals(raw)).toBe(true);
  });
});

describe('sender-less bounces', () => {
  it('files a bounce with no From header under the mail system instead of quarantining it', async () => {
    const bounce = Buffer.from([
      'To: support@acme.test', 'Subject: Undelivered Mail Returned to Sender', 'Return-Path: <>', 'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"', '',
      '--b', 'Content-Type: text/plain', '', 'I could not deliver your message.', '',
      '--b', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.acme.test', '',
      'Final-Recipient: rfc822; gone@example.com', 'Action: failed', 'Status: 5.1.1', '', '--b--', '',
    ].join('\r\n'));
    await postInbound(h, bounce);
    await h.drain();
    const list = (await h.app.inject({ method: 'GET', url: '/api/tickets', headers: h.auth })).json();
    expect(list.tickets[0].customerEmail).toBe('mailer-daemon@unknown.invalid');
    const detail = (await h.app.inject({ method: 'GET', url: `/api/tickets/${list.tickets[0].id}`, headers: h.auth })).json();
    expect(detail.messages[0].flags.bounce).toBe(true);
  });
});
