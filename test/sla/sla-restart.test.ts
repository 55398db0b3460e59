/**
 * Timers across restarts and processes: a new Mailroom on the same data dir queues every stored timer
 * again and fires what came due while it was down — once; inline timers fire through the queue
 * driver's real timers; several processes racing for the same breach record it once.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { slaTimerJob } from '../../src/sla/sla-jobs.js';
import { tempDir } from '../support/harness.js';
import {
  closeSlaHarness, createSlaHarness, crossingsOf, eventsOf, iso, newTicket, OFFICE_SLA_YAML, slaRow, waitFor, type SlaHarness,
} from './sla-harness.js';

const MONDAY_1600 = '2026-11-23T15:00:00.000Z';
const WARN_AT = '2026-11-24T10:00:00.000Z';
const DUE_AT = '2026-11-24T11:00:00.000Z';

let h: SlaHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await closeSlaHarness(h, false);
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const slaEventCounts = (harness: SlaHarness, id: number) => ({
  warning: eventsOf(harness, id, 'sla_warning').length,
  breach: eventsOf(harness, id, 'sla_breach').length,
});

describe('SLA timers after a restart (inline driver)', () => {
  it('rebuilds the timers from the database: what came due while down fires once, nothing twice, nothing missed', async () => {
    dir = tempDir('mailroom-sla-restart-');
    h = await createSlaHarness({ dir, slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h);
    expect(iso(slaRow(h, id)!.timerAt)).toBe(WARN_AT);
    await h.close();

    // Down over the warning instant: the new process queues the stored timer with no delay.
    h = await createSlaHarness({ dir, now: '2026-11-24T10:30:00.000Z' });
    expect(h.module.stats(h.services)!.rebuild).toMatchObject({ timers: 1 });
    await waitFor(() => slaEventCounts(h!, id).warning === 1, 'the warning after the restart');
    await waitFor(() => iso(slaRow(h!, id)!.timerAt) === DUE_AT, 'the breach timer');
    expect(slaEventCounts(h, id)).toEqual({ warning: 1, breach: 0 });
    await h.close();

    // Down over the due instant, back 500 ms after it.
    h = await createSlaHarness({ dir, now: '2026-11-24T11:00:00.500Z' });
    await waitFor(() => slaEventCounts(h!, id).breach === 1, 'the breach after the restart');
    await waitFor(() => slaRow(h!, id)!.timerKey === 'resolution:0:warning', 'the resolution timer');
    expect(slaEventCounts(h, id)).toEqual({ warning: 1, breach: 1 });
    const breach = crossingsOf(h, id).find((c) => c.kind === 'breach')!;
    expect(iso(breach.at)).toBe(DUE_AT);
    expect(iso(breach.recordedAt)).toBe('2026-11-24T11:00:00.500Z');
    await h.close();

    // Another restart with nothing due: the future timer is queued again, nothing is recorded.
    h = await createSlaHarness({ dir, now: '2026-11-24T12:00:00.000Z' });
    expect(await h.services.queue.counts(slaTimerJob)).toMatchObject({ delayed: 1 });
    const health = (await h.app.inject({ method: 'GET', url: '/health' })).json();
    expect(health.sla).toMatchObject({ ok: true, overdueNotFired: 0, ticketsWithTimer: 1, timersPending: 1 });
    expect(slaEventCounts(h, id)).toEqual({ warning: 1, breach: 1 });
  });

  it('fires through the driver\'s real timers: a timer that fires before its instant sets itself again', async () => {
    dir = tempDir('mailroom-sla-restart-');
    h = await createSlaHarness({ dir, slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h);
    await h.close();
    // Restart 40 ms (of the manual clock) before the warning: the rebuilt timer waits 40 real ms,
    // finds the clock has not moved, and sets itself again until the clock reaches the instant.
    h = await createSlaHarness({ dir, now: new Date(Date.parse(WARN_AT) - 40).toISOString() });
    await waitFor(() => h!.module.stats(h!.services)!.fires >= 2, 'two early firings');
    expect(slaEventCounts(h, id)).toEqual({ warning: 0, breach: 0 });
    h.clock.set(WARN_AT);
    await waitFor(() => slaEventCounts(h!, id).warning === 1, 'the warning');
    expect(slaEventCounts(h, id)).toEqual({ warning: 1, breach: 0 });
    expect(h.module.stats(h.services)!.recorded).toEqual({ warning: 1, breach: 0 });
  });

  it('the sweep runs a timer whose job was lost', async () => {
    dir = tempDir('mailroom-sla-restart-');
    h = await createSlaHarness({ dir, slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h);
    // The job is queued for hours of real time: as far as the test is concerned it never fires.
    h.clock.set('2026-11-24T10:00:10.000Z');
    const health = (await h.app.inject({ method: 'GET', url: '/health' })).json();
    expect(health.status).toBe('degraded');
    expect(health.sla).toMatchObject({ ok: false, overdueNotFired: 1, oldestOverdueAt: WARN_AT });
    expect(await h.module.sweep(h.services)).toMatchObject({ overdue: 1 });
    expect(slaEventCounts(h, id)).toEqual({ warning: 1, breach: 0 });
    expect((await h.app.inject({ method: 'GET', url: '/health' })).json().sla).toMatchObject({ ok: true, overdueNotFired: 0 });
  });
});

const startFirer = (args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; result: Promise<{ status: string; recorded: string[] }> }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/sla/fire-timer-process.ts', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const lines = createInterface({ input: child.stdout });
    let resolveResult!: (value: { status: string; recorded: string[] }) => void;
    const result = new Promise<{ status: string; recorded: string[] }>((r) => { resolveResult = r; });
    lines.on('line', (line) => {
      if (line === 'ready') resolve({ child, result });
      else resolveResult(JSON.parse(line));
    });
    child.on('exit', (code) => { if (code !== 0) reject(new Error(`firer exited ${code}: ${stderr}`)); });
  });

describe('SLA crossings with racing processes', () => {
  it('four processes firing the same due breach at once record it once', async () => {
    dir = tempDir('mailroom-sla-race-');
    h = await createSlaHarness({ dir, slaYaml: OFFICE_SLA_YAML, now: MONDAY_1600 });
    const id = await newTicket(h);
    const generation = slaRow(h, id)!.timerGeneration;
    await h.close();
    h = undefined;

    // Two as the timer job (same generation), two as ticket hooks (no generation: a full recompute
    // that reaches the insert, where only the unique (ticket, key) stops a second record).
    const firers = await Promise.all([
      startFirer([dir, DUE_AT, String(id), String(generation)]),
      startFirer([dir, DUE_AT, String(id), String(generation)]),
      startFirer([dir, DUE_AT, String(id)]),
      startFirer([dir, DUE_AT, String(id)]),
    ]);
    for (const firer of firers) firer.child.stdin.write('go\n');
    const results = await Promise.all(firers.map((firer) => firer.result));
    await Promise.all(firers.map((firer) => new Promise((resolve) => (firer.child.exitCode !== null ? resolve(null) : firer.child.on('exit', resolve)))));

    const recorded = results.flatMap((r) => r.recorded).sort();
    expect(recorded).toEqual(['first_response:0:breach', 'first_response:0:warning']);
    expect(results.filter((r) => r.recorded.length > 0)).toHaveLength(1);

    h = await createSlaHarness({ dir, now: DUE_AT });
    expect(slaEventCounts(h, id)).toEqual({ warning: 1, breach: 1 });
    expect(crossingsOf(h, id)).toHaveLength(2);
  }, 120_000);
});
