/**
 * Shadow mode on a real Mailroom: a candidate decides new mail beside the live rules and records only
 * the differences; it survives a restart; promotion writes its files into the rules directory and
 * reloads; dropping stops it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CANDIDATE_RULES, createRulesHarness, LIVE_RULES, type RulesHarness } from './rules-harness.js';

let r: RulesHarness;
beforeEach(async () => { r = await createRulesHarness(); });
afterEach(async () => { await r.close(); });

const candidate = { files: [{ name: '10-routing.yaml', content: CANDIDATE_RULES }] };

describe('shadow rule sets', () => {
  it('records only the differences on new mail, and survives a restart', async () => {
    expect((await r.api('GET', '/api/rules/shadow')).json()).toEqual({ active: false, shadow: null });
    const started = await r.api('POST', '/api/rules/shadow', candidate);
    expect(started.statusCode, started.body).toBe(201);
    const shadow = started.json().shadow;
    expect(shadow).toMatchObject({ status: 'active', compared: 0, differed: 0, files: [{ name: '10-routing.yaml' }], errors: null });
    expect((await r.api('POST', '/api/rules/shadow', candidate)).statusCode).toBe(409);

    const payment = await r.file('Payment failed');
    await r.file('Invoice 9');
    // The live rules decided as before: the shadow changes nothing that is filed.
    expect((await r.api('GET', `/api/tickets/${payment}`)).json().ticket.queue).toBe('triage');

    let status = (await r.api('GET', '/api/rules/shadow')).json();
    expect(status).toMatchObject({ active: true, shadow: { id: shadow.id, compared: 2, differed: 1, counts: { queue: 1, category: 1, tags: 1, priority: 0, auto_reply: 0 } } });
    expect(status.shadow.recent).toEqual([{
      id: expect.any(Number), messageId: expect.any(Number), ticketId: payment, subject: 'Payment failed',
      fields: ['queue', 'category', 'tags'],
      old: { queue: 'triage', category: null, tags: [] },
      new: { queue: 'billing', category: 'billing', tags: ['billing'] },
      matched: ['billing-words'],
      at: expect.any(String),
    }]);
    const health = (await r.h.app.inject({ method: 'GET', url: '/health' })).json().rules;
    expect(health.shadow).toEqual({ id: shadow.id, version: shadow.version, compared: 2, differed: 1 });

    await r.restart();
    const password = await r.file('Password lost');
    status = (await r.api('GET', '/api/rules/shadow')).json();
    expect(status).toMatchObject({ active: true, shadow: { id: shadow.id, compared: 3, differed: 2, counts: { queue: 2, auto_reply: 1 } } });
    expect(status.shadow.recent[0]).toMatchObject({ ticketId: password, fields: ['queue', 'auto_reply'], old: { queue: 'triage', auto_reply: null }, new: { queue: 'accounts', auto_reply: 'password-reset' } });
  });

  it('promote writes the candidate into the rules directory and reloads it', async () => {
    const shadow = (await r.api('POST', '/api/rules/shadow', {
      files: [...candidate.files, { name: '20-vip.yaml', content: 'rules:\n  - name: vip\n    when: { customer.tier: vip }\n    then: { queue: vip }\n' }],
    })).json().shadow;
    const res = await r.api('POST', '/api/rules/shadow/promote');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      version: shadow.version, changed: true,
      files: { written: ['10-routing.yaml', '20-vip.yaml'], removed: [], unchanged: [] },
      shadow: { id: shadow.id, status: 'promoted', endedAt: expect.any(String) },
    });
    expect(readFileSync(path.join(r.rulesDir, '10-routing.yaml'), 'utf8')).toBe(CANDIDATE_RULES);
    expect(readdirSync(r.rulesDir).sort()).toEqual(['10-routing.yaml', '20-vip.yaml']);
    expect((await r.api('GET', '/api/rules')).json()).toMatchObject({ version: shadow.version, rules: 3 });
    expect((await r.api('GET', '/api/rules/shadow')).json()).toMatchObject({ active: false, shadow: { status: 'promoted' } });
    // New mail is decided by the promoted rules.
    const ticket = await r.file('Payment failed');
    expect((await r.api('GET', `/api/tickets/${ticket}`)).json().ticket.queue).toBe('billing');
    expect((await r.api('POST', '/api/rules/shadow/promote')).statusCode).toBe(404);
  });

  it('promote refuses to undo an edit made to the rules directory meanwhile, unless forced', async () => {
    await r.api('POST', '/api/rules/shadow', { files: [{ name: '20-extra.yaml', content: 'rules:\n  - name: forms\n    when: { channel: form }\n    then: { tags: [form] }\n' }] });
    writeFileSync(path.join(r.rulesDir, '10-routing.yaml'), `${LIVE_RULES}# edited by hand\n`);
    const refused = await r.api('POST', '/api/rules/shadow/promote');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/the rules directory changed since shadow \d+ started/);
    const forced = await r.api('POST', '/api/rules/shadow/promote?force=true');
    expect(forced.statusCode, forced.body).toBe(200);
    // The shadow's copy of 10-routing.yaml (without the edit) is what is live now.
    expect(readFileSync(path.join(r.rulesDir, '10-routing.yaml'), 'utf8')).toBe(LIVE_RULES);
    expect(forced.json().files).toMatchObject({ written: ['10-routing.yaml', '20-extra.yaml'] });
  });

  it('replace: true promotes exactly the given files (other rule files are removed, sla.yaml is kept)', async () => {
    writeFileSync(path.join(r.rulesDir, '20-old.yaml'), 'rules:\n  - name: old\n    when: { channel: form }\n    then: { tags: [old] }\n');
    writeFileSync(path.join(r.rulesDir, 'sla.yaml'), 'policies:\n  - name: standard\n    default: true\n    targets: { first_response: 4h }\n');
    await r.api('POST', '/api/rules/reload');
    const started = await r.api('POST', '/api/rules/shadow', { replace: true, files: [{ name: '50-only.yaml', content: CANDIDATE_RULES }] });
    expect(started.statusCode, started.body).toBe(201);
    const res = await r.api('POST', '/api/rules/shadow/promote');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().files).toEqual({ written: ['50-only.yaml'], removed: ['10-routing.yaml', '20-old.yaml'], unchanged: [] });
    expect(readdirSync(r.rulesDir).sort()).toEqual(['50-only.yaml', 'sla.yaml']);
  });

  it('drop stops it; an invalid candidate is refused with located errors', async () => {
    const invalid = await r.api('POST', '/api/rules/shadow', { files: [{ name: '10-routing.yaml', content: 'rules:\n  - name: x\n    when: { subject: { contains: a } }\n    then: { queue: biling }\n' }] });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error.details.errors).toEqual([expect.objectContaining({ file: '10-routing.yaml', line: 4, field: 'rules[0].then.queue', suggestion: 'billing' })]);

    await r.api('POST', '/api/rules/shadow', candidate);
    await r.file('Payment failed');
    const dropped = await r.api('DELETE', '/api/rules/shadow');
    expect(dropped.statusCode, dropped.body).toBe(200);
    expect(dropped.json()).toMatchObject({ active: false, shadow: { status: 'dropped', compared: 1, differed: 1 } });
    await r.file('Payment failed again');
    expect((await r.api('GET', '/api/rules/shadow')).json()).toMatchObject({ active: false, shadow: { status: 'dropped', compared: 1, differed: 1 } });
    expect((await r.api('DELETE', '/api/rules/shadow')).statusCode).toBe(404);
    // A new shadow can start after a drop.
    expect((await r.api('POST', '/api/rules/shadow', candidate)).statusCode).toBe(201);
  });
});
