/** The queue driver contract, run against both drivers: inline, and BullMQ on the local Redis. */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBullmqDriver } from '../../src/queue/bullmq-driver.js';
import { createInlineDriver } from '../../src/queue/inline-driver.js';
import { defineJob } from '../../src/queue/job-definition.js';
import type { QueueDriver } from '../../src/queue/queue-driver.js';
import { randomPrefix, REDIS_URL } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

const job = () => defineJob({
  name: `test-${randomUUID()}`, version: 1, schema: z.object({ n: z.number().int() }), attempts: 3, backoffMs: 20, jobKey: (p) => `n-${p.n}`,
});


const drivers: Array<[string, () => QueueDriver]> = [
  ['inline', () => createInlineDriver()],
  ['bullmq', () => createBullmqDriver({ redisUrl: REDIS_URL, prefix: randomPrefix() })],
];

describe.each(drivers)('%s driver', (_name, make) => {
  let driver: QueueDriver;
  afterEach(async () => { await driver.close(); });

  it('runs jobs, validates payloads and does not queue a key twice while queued', async () => {
    driver = make();
    const def = job();
    const seen: number[] = [];
    await driver.enqueue(def, { n: 1 });
    await driver.enqueue(def, { n: 1 });
    await driver.enqueue(def, { n: 2 });
    await expect(driver.enqueue(def, { n: 'x' } as never)).rejects.toThrow();
    driver.work(def, async ({ n }) => { seen.push(n); });
    await waitFor(() => seen.length >= 2, 'two jobs');
    await driver.drain(def);
    expect(seen.sort()).toEqual([1, 2]);
  });

  it('retries a failing job and reports the attempt number', async () => {
    driver = make();
    const def = job();
    const attempts: Array<{ attempt: number; final: boolean }> = [];
    driver.work(def, async (_p, ctx) => {
      attempts.push({ attempt: ctx.attempt, final: ctx.isFinalAttempt });
      if (ctx.attempt < 3) throw new Error('transient');
    });
    await driver.enqueue(def, { n: 7 });
    await waitFor(() => attempts.length === 3, 'three attempts');
    await driver.drain(def);
    expect(attempts).toEqual([{ attempt: 1, final: false }, { attempt: 2, final: false }, { attempt: 3, final: true }]);
  });

  it('calls onExhausted once after the last attempt fails', async () => {
    driver = make();
    const def = job();
    const exhausted: Array<{ n: number; message: string }> = [];
    driver.work(def, async () => { throw new Error('always broken'); }, { onExhausted: (p, err) => { exhausted.push({ n: p.n, message: err.message }); } });
    await driver.enqueue(def, { n: 9 });
    await waitFor(() => exhausted.length === 1, 'exhaustion');
    await driver.drain(def);
    expect(exhausted).toEqual([{ n: 9, message: 'always broken' }]);
    expect((await driver.counts(def)).failed).toBe(1);
  });

  it('honours retry overrides from config', async () => {
    driver = _name === 'inline'
      ? createInlineDriver({ retry: {} })
      : createBullmqDriver({ redisUrl: REDIS_URL, prefix: randomPrefix(), retry: {} });
    const def = job();
    await driver.close();
    driver = _name === 'inline'
      ? createInlineDriver({ retry: { [def.name]: { attempts: 1 } } })
      : createBullmqDriver({ redisUrl: REDIS_URL, prefix: randomPrefix(), retry: { [def.name]: { attempts: 1 } } });
    let calls = 0;
    let exhausted = 0;
    driver.work(def, async () => { calls++; throw new Error('x'); }, { onExhausted: () => { exhausted++; } });
    await driver.enqueue(def, { n: 1 });
    await waitFor(() => exhausted === 1, 'exhaustion');
    expect(calls).toBe(1);
  });

  it('runs a delayed job after its delay', async () => {
    driver = make();
    const def = job();
    const ran: number[] = [];
    driver.work(def, async ({ n }) => { ran.push(n); });
    await driver.enqueue(def, { n: 5 }, { delayMs: 200 });
    expect((await driver.counts(def)).delayed).toBe(1);
    await waitFor(() => ran.length === 1, 'delayed job');
  });

  it('reports health', async () => {
    driver = make();
    expect((await driver.health()).ok).toBe(true);
  });
});
