/**
 * The rules API on a real Mailroom (SQLite, files on disk): the live rule set, reload (200 / 422 with
 * the running rules kept), validation with located errors, lint, /health, the decision trace of a
 * ticket, and the API token on every route.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRulesHarness, LIVE_RULES, type RulesHarness } from './rules-harness.js';

let r: RulesHarness;
beforeEach(async () => {
  r = await createRulesHarness();
  // These tests drive reloads themselves; the watcher (hot-reload.test.ts) would race them.
  r.h.services.decider.close();
});
afterEach(async () => { await r.close(); });

const BROKEN = `rules:
  - name: broken
    when:
      subjet: { contains: invoice }
    then:
      queue: biling
`;

describe('GET /api/rules and POST /api/rules/reload', () => {
  it('describes the live rule set', async () => {
    const res = await r.api('GET', '/api/rules');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      rulesDir: r.rulesDir, rules: 2,
      files: [{ name: '10-routing.yaml', path: path.join(r.rulesDir, '10-routing.yaml'), rules: 2 }],
      lastReload: { ok: true, errors: [] },
    });
    expect(body.version).toMatch(/^[0-9a-f]{16}$/);
    expect(Date.parse(body.loadedAt)).not.toBeNaN();
  });

  it('reload: 200 with the new version; 422 with every located error while the running rules stay', async () => {
    const before = (await r.api('GET', '/api/rules')).json().version;
    writeFileSync(path.join(r.rulesDir, '20-more.yaml'), 'rules:\n  - name: vip\n    when: { customer.tier: vip }\n    then: { queue: vip }\n');
    const ok = await r.api('POST', '/api/rules/reload');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, changed: true, rules: 3 });
    const good = ok.json().version;
    expect(good).not.toBe(before);
    expect((await r.api('POST', '/api/rules/reload')).json()).toMatchObject({ ok: true, version: good, changed: false });

    writeFileSync(path.join(r.rulesDir, '30-broken.yaml'), BROKEN);
    const bad = await r.api('POST', '/api/rules/reload');
    expect(bad.statusCode, bad.body).toBe(422);
    const error = bad.json().error;
    expect(error.code).toBe('RULES_INVALID');
    expect(error.message).toContain(`the running rules (version ${good}) are kept`);
    const file = path.join(r.rulesDir, '30-broken.yaml');
    expect(error.details.errors).toEqual([
      { file, line: 4, column: 7, code: 'unknown_field', field: 'rules[0].when.subjet', message: expect.stringContaining('unknown field "subjet"'), suggestion: 'subject' },
      { file, line: 6, column: 14, code: 'unknown_queue', field: 'rules[0].then.queue', message: expect.stringContaining('unknown queue "biling"'), suggestion: 'billing' },
    ]);
    const status = (await r.api('GET', '/api/rules')).json();
    expect(status).toMatchObject({ version: good, rules: 3, lastReload: { ok: false } });
    expect(status.lastReload.errors).toHaveLength(2);

    // The running rules still decide: an invoice goes to billing.
    const ticket = await r.file('Invoice 42');
    expect((await r.api('GET', `/api/tickets/${ticket}`)).json().ticket.queue).toBe('billing');
  });
});

describe('/health', () => {
  it('has a rules section, degraded while the last reload failed', async () => {
    const healthy = await r.h.app.inject({ method: 'GET', url: '/health' });
    expect(healthy.statusCode).toBe(200);
    expect(healthy.json().rules).toMatchObject({ ok: true, rules: 2, files: 1, shadow: null, lastReload: { ok: true, errorCount: 0 } });

    writeFileSync(path.join(r.rulesDir, '10-routing.yaml'), BROKEN);
    expect((await r.api('POST', '/api/rules/reload')).statusCode).toBe(422);
    const degraded = await r.h.app.inject({ method: 'GET', url: '/health' });
    expect(degraded.statusCode).toBe(503);
    expect(degraded.json().status).toBe('degraded');
    expect(degraded.json().rules).toMatchObject({
      ok: false, rules: 2,
      lastReload: { ok: false, errorCount: 2, errors: [{ file: '10-routing.yaml', line: 4, column: 7, code: 'unknown_field' }, { line: 6, code: 'unknown_queue' }] },
      detail: expect.stringContaining('the last reload failed'),
    });

    writeFileSync(path.join(r.rulesDir, '10-routing.yaml'), LIVE_RULES);
    expect((await r.api('POST', '/api/rules/reload')).statusCode).toBe(200);
    expect((await r.h.app.inject({ method: 'GET', url: '/health' })).json().rules.ok).toBe(true);
  });
});

describe('POST /api/rules/validate and GET /api/rules/lint', () => {
  it('reports every error of a candidate with its line, and activates nothing', async () => {
    const before = (await r.api('GET', '/api/rules')).json().version;
    const res = await r.api('POST', '/api/rules/validate', {
      files: [{ name: '20-new.yaml', content: 'rules:\n  - name: x\n    when: { subject: { contain: refund } }\n    then: { priority: hgh }\n' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: false, version: null,
      errors: [
        { file: '20-new.yaml', line: 3, code: 'unknown_operator', field: 'rules[0].when.subject.contain', suggestion: 'contains' },
        { file: '20-new.yaml', line: 4, code: 'invalid_value', field: 'rules[0].then.priority', suggestion: 'high' },
      ],
    });
    expect((await r.api('GET', '/api/rules')).json().version).toBe(before);
  });

  it('a valid candidate: its version, the files it would consist of, lint findings', async () => {
    const res = await r.api('POST', '/api/rules/validate', {
      files: [{ name: '20-new.yaml', content: 'rules:\n  - name: everything\n    then: { tags: [seen] }\n' }],
    });
    expect(res.json()).toMatchObject({
      ok: true, rules: 3, files: ['10-routing.yaml', '20-new.yaml'], errors: [],
      lint: [{ code: 'no_conditions', rule: 'everything', file: '20-new.yaml', line: 2 }],
    });
    const alone = await r.api('POST', '/api/rules/validate', { replace: true, files: [{ name: '20-new.yaml', content: 'rules:\n  - name: everything\n    then: { tags: [seen] }\n' }] });
    expect(alone.json()).toMatchObject({ ok: true, rules: 1, files: ['20-new.yaml'] });
  });

  it('refuses names that are not rule files', async () => {
    for (const name of ['../evil.yaml', 'sla.yaml', 'notes.txt']) {
      const res = await r.api('POST', '/api/rules/validate', { files: [{ name, content: 'rules: []\n' }] });
      expect(res.statusCode, name).toBe(400);
    }
  });

  it('lints the live rules', async () => {
    writeFileSync(path.join(r.rulesDir, '20-stop.yaml'), 'rules:\n  - name: all-invoices\n    when: { subject: { contains: invoice } }\n    then: { queue: billing, stop: true }\n  - name: overdue\n    when: { subject: { contains: overdue invoice } }\n    then: { priority: high }\n  - name: parked\n    enabled: false\n    when: { channel: form }\n    then: { tags: [form] }\n');
    await r.api('POST', '/api/rules/reload');
    const res = await r.api('GET', '/api/rules/lint');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ warnings: 1, findings: [{ code: 'shadowed_by_stop', rule: 'overdue', related: { rule: 'all-invoices' } }] });
    expect((await r.api('GET', '/api/rules/lint?verbose=true')).json().findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ code: 'shadowed_by_stop' }), expect.objectContaining({ code: 'disabled', severity: 'info', rule: 'parked' }),
    ]));
  });
});

describe('GET /api/tickets/:id/trace', () => {
  it('explains each message: conditions with their actual values, the decision, assignment, SLA and summary', async () => {
    const ticket = await r.file('URGENT refund for invoice 7', 'Bea <bea@example.com>');
    const res = await r.api('GET', `/api/tickets/${ticket}/trace`);
    expect(res.statusCode, res.body).toBe(200);
    const { messages } = res.json();
    expect(messages).toHaveLength(1);
    const m = messages[0];
    expect(m).toMatchObject({ ticketId: ticket, subject: 'URGENT refund for invoice 7', from: 'bea@example.com', classification: null });
    expect(m.thread).toMatchObject({ ticketId: null, matchedBy: null, reasons: ['new conversation'] });
    expect(m.decision).toMatchObject({ queue: 'billing', priority: 'high', category: 'billing', tags: ['billing'] });
    expect(m.rules).toMatchObject({ total: 2, matched: ['billing-words', 'urgent'], stoppedBy: null });
    const [billing, urgent] = m.rules.rules;
    expect(billing).toMatchObject({
      rule: 'billing-words', file: path.join(r.rulesDir, '10-routing.yaml'), line: 2, outcome: 'matched', stop: false,
      conditions: [{ depth: 0, kind: 'test', field: 'subject', op: 'contains', expected: ['invoice', 'refund'], actual: 'URGENT refund for invoice 7', result: true, line: 4 }],
      actions: [
        { action: 'queue', value: 'billing', outcome: 'applied' },
        { action: 'category', value: 'billing', outcome: 'applied' },
        { action: 'tags', value: 'billing', outcome: 'added' },
      ],
    });
    expect(urgent).toMatchObject({ rule: 'urgent', outcome: 'matched', conditions: [{ field: 'subject', op: 'contains', expected: 'urgent', actual: 'URGENT refund for invoice 7', result: true }] });
    // billing is a pull queue: nobody is assigned, and the trace says why
    expect(m.assignment).toMatchObject({ chosen: null, queue: 'billing' });
    expect(m.assignment.reason).not.toBe('');
    expect(m.sla).toMatchObject({ policy: 'default', reason: 'default' });
    expect(m.summary).toEqual(expect.arrayContaining([
      expect.stringMatching(/^thread: /),
      expect.stringMatching(/2 of 2 matched \(billing-words, urgent\)/),
      'queue billing (rule billing-words)',
      'priority high (rule urgent)',
    ]));

    // A reply is a second message on the same ticket, with its own trace: no rule matches, the ticket's queue stays.
    const first = (await r.api('GET', `/api/tickets/${ticket}`)).json().messages[0].messageId;
    r.h.clock.advance(60_000);
    const { eml, postInbound } = await import('../support/harness.js');
    await postInbound(r.h, eml({ from: 'Bea <bea@example.com>', subject: 'Re: hello', inReplyTo: first, body: 'Any news?' }));
    await r.h.drain();
    const both = (await r.api('GET', `/api/tickets/${ticket}/trace`)).json().messages;
    expect(both).toHaveLength(2);
    expect(both[1].thread).toMatchObject({ ticketId: ticket, matchedBy: 'in-reply-to' });
    expect(both[1].rules.rules.map((x: { outcome: string }) => x.outcome)).toEqual(['not_matched', 'not_matched']);
    expect(both[1].rules.rules[0].conditions[0]).toMatchObject({ field: 'subject', actual: 'Re: hello', result: false });
    expect(both[1].decision.queue).toBe('billing');
    expect(both[1].summary).toContain("queue billing (the ticket's queue)");

    expect((await r.api('GET', '/api/tickets/999999/trace')).statusCode).toBe(404);
  });
});

describe('the API token', () => {
  it('guards every rules route', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/api/rules'], ['POST', '/api/rules/reload'], ['POST', '/api/rules/validate'], ['GET', '/api/rules/lint'],
      ['POST', '/api/rules/backtest'], ['GET', '/api/rules/shadow'], ['POST', '/api/rules/shadow'], ['POST', '/api/rules/shadow/promote'],
      ['DELETE', '/api/rules/shadow'], ['GET', '/api/tickets/1/trace'],
    ];
    for (const [method, url] of routes) {
      const res = await r.h.app.inject({ method: method as 'GET', url, payload: method === 'POST' ? { files: [] } : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      const wrong = await r.h.app.inject({ method: method as 'GET', url, headers: { authorization: 'Bearer wrong' }, payload: method === 'POST' ? { files: [] } : undefined });
      expect(wrong.statusCode, `${method} ${url} with a wrong token`).toBe(401);
    }
  });
});
