/** The classifier inside Mailroom: cold start, examples, off-thread retraining, live model in intake, corrections. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifierModule } from '../../src/classify/classifier-module.js';
import { createHarness, eml, postInbound, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => { h = await createHarness({ modules: [classifierModule] }); });
afterEach(async () => { await h.close(); });

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url, headers: { ...h.auth, ...headers }, payload: payload as object });

const BILLING = ['I was charged twice for my order', 'refund my last payment please', 'my invoice shows the wrong amount', 'why is there an extra charge on my card',
  'the payment failed but money left my account', 'please send a receipt for my payment', 'cancel the subscription charge', 'I need a refund for the duplicate charge'];
const ACCESS = ['I cannot log in to my account', 'password reset link does not work', 'my account is locked after too many attempts', 'two factor code never arrives',
  'how do I change my login email', 'forgot my password again', 'sign in page says invalid credentials', 'unlock my account please'];
const examples = [...BILLING.flatMap((t, i) => [t, `${t} today`, `hello, ${t}`].map((text) => ({ text: `${text} ${i}`, category: 'billing' }))),
  ...ACCESS.flatMap((t, i) => [t, `${t} today`, `hello, ${t}`].map((text) => ({ text: `${text} ${i}`, category: 'access' })))];

const lastTicket = async () => {
  const id = (await api('GET', '/api/tickets?limit=1')).json().tickets[0].id;
  return { id, detail: h.services.db.$client.prepare('select category, confidence, decision from messages where ticket_id = ? order by id desc').get(id) as { category: string | null; confidence: number | null; decision: string } };
};

describe('classifier in the product', () => {
  it('cold start: no model, rules alone decide, nothing crashes', async () => {
    const status = (await api('GET', '/api/classifier')).json();
    expect(status.model).toBeNull();
    expect((await api('POST', '/api/classifier/train?wait=true')).json().result).toMatchObject({ outcome: 'cold-start' });
    await postInbound(h, eml({ subject: 'refund please' }));
    await h.drain();
    const { detail } = await lastTicket();
    expect(detail.category).toBeNull();
    expect(JSON.parse(detail.decision).trace.classification).toBeNull();
  });

  it('trains off-thread from examples, goes live, and classifies new mail with confidence and top scores', async () => {
    expect((await api('POST', '/api/classifier/examples', { examples })).statusCode).toBe(201);
    const run = (await api('POST', '/api/classifier/train?wait=true')).json();
    expect(run.state, JSON.stringify(run)).toBe('done');
    expect(run.result).toMatchObject({ outcome: 'trained', activated: true, choice: { winner: 'candidate' } });
    const status = (await api('GET', '/api/classifier')).json();
    expect(status.model).toMatchObject({ active: true, categories: ['access', 'billing'] });
    expect(status.model.calibration[0]).toMatchObject({ threshold: 0.3 });
    expect(status.examples).toMatchObject({ total: examples.length, bySource: { import: examples.length } });

    await postInbound(h, eml({ subject: 'Refund', body: 'I was charged twice for the same order, please refund the extra payment.' }));
    await h.drain();
    const { detail } = await lastTicket();
    const trace = JSON.parse(detail.decision).trace;
    expect(trace.classification.top[0].category).toBe('billing');
    expect(trace.classification.top).toHaveLength(2);
    expect(detail.confidence).toBeGreaterThan(0.5);
    expect(detail.category).toBe('billing');
  });

  it("records an agent's category change as a labeled example (latest correction wins), not the rules' own", async () => {
    await postInbound(h, eml({ subject: 'Locked out', body: 'My account is locked.' }));
    await h.drain();
    const { id } = await lastTicket();
    await api('PATCH', `/api/tickets/${id}`, { category: 'billing' }, { 'x-mailroom-actor': 'anna' });
    await api('PATCH', `/api/tickets/${id}`, { category: 'access' }, { 'x-mailroom-actor': 'anna' });
    const rows = h.services.db.$client.prepare('select text, category, source, created_by from training_examples').all();
    expect(rows).toEqual([{ text: expect.stringContaining('My account is locked.'), category: 'access', source: 'correction', created_by: 'anna' }]);
  });

  it('swaps the live model only when the candidate is not worse on the same held-out examples', async () => {
    await api('POST', '/api/classifier/examples', { examples });
    await api('POST', '/api/classifier/train?wait=true');
    const live = (await api('GET', '/api/classifier')).json().model.version;
    // Mislabeled copies: the next candidate learns noise.
    const noisy = examples.map((e) => ({ text: e.text, category: e.category === 'billing' ? 'access' : 'billing' }));
    await api('POST', '/api/classifier/examples', { examples: [...noisy, ...noisy] });
    const run = (await api('POST', '/api/classifier/train?wait=true')).json();
    const { choice, activated } = run.result;
    expect(choice.currentVersion).toBe(live);
    expect(choice.currentAccuracy).not.toBeNull();
    const after = (await api('GET', '/api/classifier')).json().model.version;
    if (activated) {
      expect(choice.candidateAccuracy).toBeGreaterThanOrEqual(choice.currentAccuracy);
      expect(after).toBe(choice.candidateVersion);
    } else {
      expect(choice.candidateAccuracy).toBeLessThan(choice.currentAccuracy);
      expect(after).toBe(live);
    }
    expect(choice.differencePoints).toBeCloseTo((choice.candidateAccuracy - choice.currentAccuracy) * 100, 6);
  });
});
