/** `npm run worker` is a separate process that files mail accepted by the server, over BullMQ. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { rawMessages } from '../../src/db/schema/index.js';
import { API_TOKEN, createHarness, eml, INBOUND_SECRET, postInbound, randomPrefix, REDIS_URL, tempDir, type Harness } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

let child: ChildProcess | null = null;
let h: Harness | null = null;
afterEach(async () => {
  child?.kill('SIGTERM');
  await h?.close();
});


describe('separate worker processes', () => {
  it('files messages that the API accepted, from another process', async () => {
    const dir = tempDir();
    const prefix = randomPrefix();
    h = await createHarness({ dir, queue: 'bullmq', bullmqPrefix: prefix, noWorker: true });
    child = spawn(process.execPath, ['--import', 'tsx', 'workers/intake.ts'], {
      env: {
        PATH: process.env.PATH, REDIS_URL, MAILROOM_QUEUE_PREFIX: prefix, MAILROOM_DATA_DIR: path.join(dir, 'data'),
        MAILROOM_API_TOKEN: API_TOKEN, MAILROOM_INBOUND_SECRET: INBOUND_SECRET, MAILROOM_RULES_DIR: path.join(dir, 'rules'), MAILROOM_LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await postInbound(h, eml({ subject: `worker ${i}` }))).json().id);
    const db = h.services.db;
    await waitFor(() => ids.every((id) => db.select().from(rawMessages).where(eq(rawMessages.id, id)).get()!.state === 'processed'), 'the worker to file all 5');
    const list = (await h.app.inject({ method: 'GET', url: '/api/tickets', headers: h.auth })).json();
    expect(list.total).toBe(5);
  });

  it('refuses to start without REDIS_URL, naming the variable', async () => {
    const dir = tempDir();
    const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', 'workers/intake.ts'], { env: { PATH: process.env.PATH, MAILROOM_DATA_DIR: path.join(dir, 'data') } });
      let stderr = '';
      c.stderr.on('data', (d) => { stderr += d; });
      c.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(res.code).toBe(78);
    expect(res.stderr).toContain('REDIS_URL');
  });
});
