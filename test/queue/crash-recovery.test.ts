/**
 * A worker killed in the middle of a job: the message is processed exactly once after restart, with
 * the inline driver (recovered from the database at start) and with BullMQ (stalled-job retry).
 */
import { spawn } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { messages, rawMessages, tickets } from '../../src/db/schema/index.js';
import { recoverIntake } from '../../src/intake/run-intake-worker.js';
import { createHarness, eml, postInbound, randomPrefix, tempDir } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

const runCrashWorker = (dir: string, mode: string, prefix = '') => new Promise<number | null>((resolve, reject) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/crash-worker.ts', dir, mode, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  child.on('error', reject);
  child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(null) : reject(new Error(`worker exited ${code}: ${err}`))));
});


describe('a worker killed mid-job', () => {
  it('inline: nothing is half-filed, and the restart files the message exactly once', async () => {
    const dir = tempDir();
    const first = await createHarness({ dir, noWorker: true });
    const { id } = (await postInbound(first, eml({ subject: 'crash me' }))).json();
    await first.close();

    await runCrashWorker(dir, 'inline');

    const second = await createHarness({ dir });
    const db = second.services.db;
    expect(db.select().from(rawMessages).where(eq(rawMessages.id, id)).get()!.state).toBe('processing');
    expect(db.select().from(messages).all()).toHaveLength(0);
    expect(db.select().from(tickets).all()).toHaveLength(0);
    expect(await recoverIntake({ db, queue: second.services.queue })).toBe(1);
    await second.drain();
    expect(db.select().from(rawMessages).where(eq(rawMessages.id, id)).get()).toMatchObject({ state: 'processed', attempts: 2 });
    expect(db.select().from(messages).all()).toHaveLength(1);
    expect(db.select().from(tickets).all()).toHaveLength(1);
    await second.close();
  });

  it('bullmq: the stalled job is retried by another worker and filed exactly once', async () => {
    const dir = tempDir();
    const prefix = randomPrefix();
    const h = await createHarness({ dir, queue: 'bullmq', bullmqPrefix: prefix, noWorker: true });
    const { id } = (await postInbound(h, eml({ subject: 'crash me on redis' }))).json();

    await runCrashWorker(dir, 'bullmq', prefix);
    const db = h.services.db;
    expect(db.select().from(messages).all()).toHaveLength(0);

    const { runIntakeWorker } = await import('../../src/intake/run-intake-worker.js');
    runIntakeWorker({ queue: h.services.queue, deps: h.services.intake, effects: [], concurrency: 1, log: h.services.log });
    await waitFor(() => db.select().from(rawMessages).where(eq(rawMessages.id, id)).get()!.state === 'processed', 'the stalled job to be processed');
    expect(db.select().from(messages).all()).toHaveLength(1);
    expect(db.select().from(tickets).all()).toHaveLength(1);
    await h.close();
  });
});
