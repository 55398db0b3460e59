/**
 * SLA timers as real BullMQ delayed jobs on the local Redis, on the real clock: a 24x7 policy with
 * targets of seconds. Waits for events with a bounded poll; asserts what happened, never how fast.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { slaTimerJob } from '../../src/sla/sla-jobs.js';
import { randomPrefix, tempDir } from '../support/harness.js';
import { closeSlaHarness, createSlaHarness, crossingsOf, eventsOf, newTicket, slaRow, waitFor, type SlaHarness } from './sla-harness.js';

const SHORT_SLA_YAML = `
policies:
  - name: fast
    default: true
    calendar: 24x7
    warn_at: 0.5
    targets: { first_response: 4s, resolution: 6s }
`;

let h: SlaHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await closeSlaHarness(h, false);
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The harness clock is a manual one; these tests run on real time. */
const useRealClock = (harness: SlaHarness) => Object.assign(harness.clock, { now: () => new Date() });

const keysOf = (harness: SlaHarness, id: number) => crossingsOf(harness, id).map((c) => c.key).sort();

describe('SLA timers on BullMQ', () => {
  it('fires warnings and breaches from delayed jobs, each recorded once', async () => {
    dir = tempDir('mailroom-sla-bullmq-');
    h = await createSlaHarness({ dir, queue: 'bullmq', slaYaml: SHORT_SLA_YAML, now: new Date().toISOString() });
    useRealClock(h);
    const id = await newTicket(h);

    await waitFor(() => eventsOf(h!, id, 'sla_breach').length === 2, 'both breaches', 20_000);
    await waitFor(async () => (await h!.services.queue.counts(slaTimerJob)).delayed === 0, 'no timer left', 10_000);
    expect(keysOf(h, id)).toEqual(['first_response:0:breach', 'first_response:0:warning', 'resolution:0:breach', 'resolution:0:warning']);
    expect(eventsOf(h, id, 'sla_warning')).toHaveLength(2);
    expect(slaRow(h, id)).toMatchObject({ state: 'breached', timerAt: null });
    // recorded by timer jobs (on a very slow machine the hook's own sync may record a warning first)
    expect(h.module.stats(h.services)!.fires).toBeGreaterThan(0);
  }, 45_000);

  it('a restart keeps the delayed job and rebuilding it is harmless', async () => {
    dir = tempDir('mailroom-sla-bullmq-');
    const bullmqPrefix = randomPrefix();
    h = await createSlaHarness({ dir, queue: 'bullmq', bullmqPrefix, slaYaml: SHORT_SLA_YAML.replace('6s', '30s'), now: new Date().toISOString() });
    useRealClock(h);
    const id = await newTicket(h);
    expect(await h.services.queue.counts(slaTimerJob)).toMatchObject({ delayed: 1 });
    await h.close();

    // A new process on the same Redis and data dir (normally before the warning at 2 s): the stored
    // timer is queued again under the same key, which BullMQ already holds: still one job.
    h = await createSlaHarness({ dir, queue: 'bullmq', bullmqPrefix, now: new Date().toISOString() });
    useRealClock(h);
    expect(h.module.stats(h.services)!.rebuild).toMatchObject({ timers: 1 });
    const counts = await h.services.queue.counts(slaTimerJob);
    expect(counts.delayed + counts.waiting + counts.active).toBeLessThanOrEqual(1);

    await waitFor(() => eventsOf(h!, id, 'sla_breach').length === 1, 'the first-response breach', 20_000);
    expect(keysOf(h, id)).toEqual(['first_response:0:breach', 'first_response:0:warning']);
    expect(slaRow(h, id)!.timerKey).toBe('resolution:0:warning');
  }, 45_000);
});
