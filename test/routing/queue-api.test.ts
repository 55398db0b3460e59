import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routingModule } from '../../src/routing/routing-module.js';
import { createHarness, eml, postInbound, type Harness } from '../support/harness.js';

let h: Harness;
const CONFIG = `
queues:
  - name: billing
    strategy: pull
    members: [anna, ben]
  - name: support
    strategy: round_robin
    members: [anna, ben, cara]
agents:
  - { id: anna, name: Anna, skills: [billing] }
  - { id: ben, name: Ben }
  - { id: cara, name: Cara }
  - { id: dora, name: Dora }
`;
beforeEach(async () => { h = await createHarness({ modules: [routingModule], configYaml: CONFIG }); });
afterEach(async () => { await h.close(); });

const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) => h.app.inject({ method, url, headers: h.auth, payload: payload as object });

/** Files `n` tickets and moves them into `queue` with the given priorities. */
const ticketsIn = async (queue: string, priorities: string[]) => {
  const ids: number[] = [];
  for (const [i, priority] of priorities.entries()) {
    h.clock.advance(60_000);
    await postInbound(h, eml({ subject: `t${i}`, from: `c${i}@example.com` }));
    await h.drain();
    const id = (await api('GET', '/api/tickets?limit=1')).json().tickets[0].id;
    await api('PATCH', `/api/tickets/${id}`, { queue, priority });
    ids.push(id);
  }
  return ids;
};

describe('queues and agents', () => {
  it('seeds default queues plus configured ones, with members in order', async () => {
    const queues = (await api('GET', '/api/queues')).json().queues;
    expect(queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(['billing', 'support']));
    expect(queues.find((q: { name: string }) => q.name === 'support').members).toEqual(['anna', 'ben', 'cara']);
    const put = await api('PUT', '/api/queues/vip', { strategy: 'least_loaded', members: ['cara'] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ name: 'vip', strategy: 'least_loaded', members: ['cara'] });
    expect((await api('PUT', '/api/queues/Bad Name', {})).statusCode).toBe(400);
  });
});

describe('POST /api/queues/:name/next', () => {
  it('hands out urgent first, then older, and 204 when empty', async () => {
    const [low, urgent, normal] = await ticketsIn('billing', ['low', 'urgent', 'normal']);
    const order: number[] = [];
    for (const agent of ['anna', 'ben', 'anna']) {
      const res = await api('POST', '/api/queues/billing/next', { agent });
      expect(res.statusCode, res.body).toBe(200);
      order.push(res.json().ticket.id);
    }
    expect(order).toEqual([urgent, normal, low]);
    expect((await api('POST', '/api/queues/billing/next', { agent: 'ben' })).statusCode).toBe(204);
  });

  it('refuses agents who are not members (403), away (409) or unknown (404)', async () => {
    await ticketsIn('billing', ['normal']);
    expect((await api('POST', '/api/queues/billing/next', { agent: 'dora' })).statusCode).toBe(403);
    await api('POST', '/api/agents/ben/availability', { available: false });
    expect((await api('POST', '/api/queues/billing/next', { agent: 'ben' })).statusCode).toBe(409);
    expect((await api('POST', '/api/queues/billing/next', { agent: 'zed' })).statusCode).toBe(404);
    expect((await api('POST', '/api/queues/nope/next', { agent: 'anna' })).statusCode).toBe(404);
  });

  it('returns a claimed ticket to the queue when the lease runs out untouched, but not once the agent acted', async () => {
    const [a, b] = await ticketsIn('billing', ['normal', 'normal']);
    expect((await api('POST', '/api/queues/billing/next', { agent: 'anna', leaseSeconds: 60 })).json().ticket.id).toBe(a);
    expect((await api('POST', '/api/queues/billing/next', { agent: 'anna', leaseSeconds: 60 })).json().ticket.id).toBe(b);
    await api('PATCH', `/api/tickets/${b}`, { status: 'open' });
    h.clock.advance(61_000);
    const again = await api('POST', '/api/queues/billing/next', { agent: 'ben' });
    expect(again.json().ticket.id).toBe(a);
    expect((await api('POST', '/api/queues/billing/next', { agent: 'ben' })).statusCode).toBe(204);
    const events = (await api('GET', `/api/tickets/${a}`)).json().events.map((e: { type: string; data: { to?: string; from?: string } }) => `${e.type}:${e.data.to ?? e.data.from ?? ''}`);
    expect(events.slice(-3)).toEqual(['assigned:anna', 'unassigned:anna', 'assigned:ben']);
  });

  it('never gives the same ticket to two processes claiming at the same time', async () => {
    await ticketsIn('billing', Array(16).fill('normal'));
    const claim = (agent: string) => new Promise<number[]>((resolve, reject) => {
      const c = spawn(process.execPath, ['--import', 'tsx', 'test/support/claim-worker.ts', path.join(h.dir, 'data'), 'billing', agent, '12'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout.on('data', (d) => { out += d; });
      c.stderr.on('data', (d) => { err += d; });
      c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(err))));
    });
    const [x, y] = await Promise.all([claim('anna'), claim('ben')]);
    expect(x.length + y.length).toBe(16);
    expect(new Set([...x, ...y]).size).toBe(16);
  });

  it('release gives the ticket back; only its holder may release it', async () => {
    const [a] = await ticketsIn('billing', ['normal']);
    await api('POST', '/api/queues/billing/next', { agent: 'anna' });
    expect((await api('POST', `/api/tickets/${a}/release`, { agent: 'ben' })).statusCode).toBe(409);
    expect((await api('POST', `/api/tickets/${a}/release`, { agent: 'anna' })).statusCode).toBe(200);
    expect((await api('POST', '/api/queues/billing/next', { agent: 'ben' })).json().ticket.id).toBe(a);
  });
});

describe('transfers and availability', () => {
  it('counts transfers and flags ping-pong', async () => {
    const [a] = await ticketsIn('billing', ['normal']);
    let last;
    for (const queue of ['support', 'billing', 'support', 'billing']) last = await api('POST', `/api/tickets/${a}/transfer`, { queue, reason: 'wrong team' });
    expect(last!.json().events[0].data).toMatchObject({ count: 4, flagged: true, toQueue: 'billing' });
    const t = (await api('GET', `/api/tickets/${a}`)).json().ticket;
    expect(t.transferCount).toBe(4);
    expect(t.tags).toContain('transfer-loop');
    expect((await api('POST', `/api/tickets/${a}/transfer`, { queue: 'nope' })).statusCode).toBe(404);
    expect((await api('POST', `/api/tickets/${a}/transfer`, {})).statusCode).toBe(400);
  });

  it('returns unstarted tickets to the queue when an agent goes away', async () => {
    const [a, b] = await ticketsIn('billing', ['normal', 'normal']);
    await api('PATCH', `/api/tickets/${a}`, { assignee: 'anna' });
    await api('PATCH', `/api/tickets/${b}`, { assignee: 'anna' });
    h.services.db.$client.prepare("insert into ticket_events (ticket_id, type, actor, data, at) values (?, 'reply_sent', 'anna', '{}', ?)").run(b, Date.now());
    const res = await api('POST', '/api/agents/anna/availability', { available: false });
    expect(res.json().released).toEqual([a]);
    const ta = (await api('GET', `/api/tickets/${a}`)).json().ticket;
    const tb = (await api('GET', `/api/tickets/${b}`)).json().ticket;
    expect([ta.assignee, tb.assignee]).toEqual([null, 'anna']);
  });
});

describe('assignment at intake', () => {
  it('round robin hands new tickets to available members in turn, skipping agents who are away, and explains it', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(path.join(h.dir, 'rules'), { recursive: true });
    writeFileSync(path.join(h.dir, 'rules', '10-all.yaml'), 'rules:\n  - name: everything-to-support\n    when:\n      subject: { exists: true }\n    then:\n      queue: support\n');
    const reload = await h.services.decider.reload();
    expect(reload.ok).toBe(true);
    await api('POST', '/api/agents/ben/availability', { available: false });
    const assignees: string[] = [];
    for (let i = 0; i < 6; i++) {
      await postInbound(h, eml({ subject: `rr ${i}`, from: `rr${i}@example.com` }));
      await h.drain();
      const t = (await api('GET', '/api/tickets?limit=1')).json().tickets[0];
      expect(t.queue).toBe('support');
      assignees.push(t.assignee);
    }
    expect(assignees).toEqual(['anna', 'cara', 'anna', 'cara', 'anna', 'cara']);
    const detail = (await api('GET', '/api/tickets?limit=1')).json().tickets[0];
    const trace = h.services.db.$client.prepare('select decision from messages where ticket_id = ?').get(detail.id) as { decision: string };
    const assignment = JSON.parse(trace.decision).trace.assignment;
    expect(assignment).toMatchObject({ strategy: 'round_robin', chosen: 'cara' });
    expect(assignment.skipped).toEqual([{ agent: 'ben', reason: 'unavailable' }]);
  });

  it('refuses rules that route to a queue that does not exist, and keeps the running rules', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(path.join(h.dir, 'rules'), { recursive: true });
    writeFileSync(path.join(h.dir, 'rules', '10-bad.yaml'), 'rules:\n  - name: typo\n    when:\n      subject: { exists: true }\n    then:\n      queue: suport\n');
    const reload = await h.services.decider.reload();
    expect(reload.ok).toBe(false);
    if (!reload.ok) expect(reload.errors[0]).toMatchObject({ code: 'unknown_queue', line: 6 });
  });
});
