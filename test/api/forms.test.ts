import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rawMessages } from '../../src/db/schema/index.js';
import { createHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => { h = await createHarness({ env: { MAILROOM_FORM_RATE_LIMIT: '5' } }); });
afterEach(async () => { await h.close(); });

const form = (payload: Record<string, string>, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url: '/forms/contact', payload: new URLSearchParams(payload).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

const tickets = async () => (await h.app.inject({ method: 'GET', url: '/api/tickets', headers: h.auth })).json();

describe('web form', () => {
  it('serves an accessible form with labels and a hidden honeypot, and 404 for an unknown form', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/forms/contact' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    for (const f of ['name', 'email', 'subject', 'message']) expect(res.body).toContain(`<label for="${f}">`);
    expect(res.body).toMatch(/class="hp" aria-hidden="true"/);
    const missing = await h.app.inject({ method: 'GET', url: '/forms/nope' });
    expect(missing.statusCode).toBe(404);
  });

  it('turns a urlencoded submission into a ticket and thanks the person', async () => {
    const res = await form({ name: 'Carla', email: 'carla@example.com', subject: 'Billing question', message: 'Why was I charged twice?' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Thank you');
    await h.drain();
    const list = await tickets();
    expect(list.tickets[0]).toMatchObject({ subject: 'Billing question', channel: 'form', mailbox: 'support', customerEmail: 'carla@example.com' });
  });

  it('accepts JSON and answers JSON', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/forms/contact', payload: { email: 'dan@example.com', message: 'Hi there' } });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('accepted');
  });

  it('rejects a bad address with the field named, and keeps what was typed', async () => {
    const html = await form({ name: 'Eve', email: 'not-an-address', message: 'text kept' });
    expect(html.statusCode).toBe(400);
    expect(html.body).toContain('aria-invalid="true" aria-describedby="email-error"');
    expect(html.body).toContain('text kept');
    const json = await h.app.inject({ method: 'POST', url: '/forms/contact', payload: { email: 'x@', message: '' } });
    expect(json.statusCode).toBe(400);
    expect(Object.keys(json.json().error.details).sort()).toEqual(['email', 'message']);
  });

  it('keeps header injection out of the stored message', async () => {
    await form({ name: 'Mallory\r\nBcc: victim@example.com', email: 'mallory@example.com', subject: 'Hi\r\nX-Injected: yes', message: 'body' });
    await h.drain();
    const list = await tickets();
    const detail = (await h.app.inject({ method: 'GET', url: `/api/tickets/${list.tickets[0].id}`, headers: h.auth })).json();
    const raw = (await h.app.inject({ method: 'GET', url: `/api/messages/${detail.messages[0].id}/raw`, headers: h.auth })).body;
    expect(raw).not.toMatch(/^Bcc:/im);
    expect(raw).not.toMatch(/^X-Injected:/im);
    expect(detail.messages[0].subject).toBe('Hi X-Injected: yes');
  });

  it('stores a honeypot submission quarantined, shows the bot the same thank-you page, and opens no ticket', async () => {
    const res = await form({ email: 'bot@spam.test', message: 'buy now', website: 'http://spam.test' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Thank you');
    await h.drain();
    expect((await tickets()).total).toBe(0);
    const raws = h.services.db.select().from(rawMessages).all();
    expect(raws).toHaveLength(1);
    expect(raws[0]).toMatchObject({ state: 'failed', channel: 'form' });
    expect(raws[0].error).toContain('hidden "website" field');
  });

  it('rate limits submissions per IP with 429', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await form({ email: `p${i}@example.com`, message: 'm' })).statusCode);
    expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(codes.slice(5)).toEqual([429, 429]);
  });

  it('answers 413 to an oversized form body', async () => {
    const res = await form({ email: 'big@example.com', message: 'x'.repeat(70 * 1024) });
    expect(res.statusCode).toBe(413);
  });
});
