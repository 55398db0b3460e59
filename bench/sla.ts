/**
 * SLA clocks benchmark: compute the clocks and the next warning/breach instant of 100,000 open tickets
 * (what the SLA scheduler does for every open ticket when it starts), on the two calendars of
 * rules/sla.yaml (Berlin office hours with lunch breaks and holidays; New York long days with a Friday
 * overnight shift). Then the same state machine with the minute-by-minute reference arithmetic
 * (test/sla/naive-calendar.ts, offsets cached per quarter hour) on a small sample, to measure the
 * speed-up as a ratio in the same run. Prints figures; asserts nothing about time.
 *
 *   npx tsx bench/sla.ts [tickets=100000] [naiveSample=200]
 */
import { addBusinessMinutes, businessMinutesBetween } from '../src/sla/calendar.js';
import { computeSlaClocks, nextSlaDeadlines, type SlaDeadline, type SlaTimelineEvent } from '../src/sla/compute-clocks.js';
import { loadSlaConfigFile } from '../src/sla/load-sla-config.js';
import type { SlaPolicy } from '../src/sla/policy.js';
import { naiveCalendar, seededRandom } from '../test/sla/naive-calendar.js';
import { randomTimeline } from '../test/sla/random-timeline.js';

const TICKETS = Number(process.argv[2] ?? 100_000);
const NAIVE_SAMPLE = Number(process.argv[3] ?? 200);
const DAY = 86_400_000;
const NOW = new Date(Date.UTC(2025, 3, 10, 9, 17)); // Thursday before Easter 2025 (holidays ahead in Berlin)

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const time = <T>(run: () => T): { result: T; ms: number } => {
  const start = performance.now();
  const result = run();
  return { result, ms: performance.now() - start };
};

const config = await loadSlaConfigFile('rules/sla.yaml');
const policies = ['standard', 'americas'].map((name) => config.policies.find((policy) => policy.name === name)!);

type Ticket = { id: number; policy: SlaPolicy; events: SlaTimelineEvent[] };
const random = seededRandom(2025);
const generated = time(() => {
  const tickets: Ticket[] = [];
  for (let id = 0; id < TICKETS; id++) {
    const events = randomTimeline({ random, from: NOW.getTime() - 30 * DAY, to: NOW.getTime() - 60_000, maxEvents: 8, until: NOW.getTime(), endOpen: true });
    tickets.push({ id, policy: policies[id % 2], events });
  }
  return tickets;
});
const tickets = generated.result;
const eventCount = tickets.reduce((sum, ticket) => sum + ticket.events.length, 0);

if (global.gc) global.gc();
const before = process.memoryUsage();

const rebuild = (batch: readonly Ticket[]) => {
  const timers: Array<{ ticketId: number; next: SlaDeadline | null }> = [];
  let breaches = 0;
  let paused = 0;
  for (const ticket of batch) {
    const clocks = computeSlaClocks({ policy: ticket.policy, calendar: config.calendars.get(ticket.policy.calendar)!, events: ticket.events, now: NOW });
    for (const crossing of clocks.crossings) if (crossing.kind === 'breach') breaches++;
    if (clocks.paused) paused++;
    timers.push({ ticketId: ticket.id, next: nextSlaDeadlines(clocks).next });
  }
  return { timers, breaches, paused };
};

const cold = time(() => rebuild(tickets));
const after = process.memoryUsage();
const warm = time(() => rebuild(tickets));
const withTimer = cold.result.timers.filter((timer) => timer.next !== null).length;

// Same state machine, minute-by-minute arithmetic, on a sample; the fast path repeated on the same sample.
const sample = tickets.slice(0, NAIVE_SAMPLE);
const references = new Map(
  policies.map((policy) => {
    const naive = naiveCalendar(config.calendars.get(policy.calendar)!.definition);
    return [policy.name, { add: (start: number, ms: number) => naive.add(start, ms / 60_000), between: (a: number, b: number) => naive.between(a, b) * 60_000 }];
  }),
);
const naiveRun = time(() =>
  sample.map((ticket) =>
    computeSlaClocks({ policy: ticket.policy, calendar: config.calendars.get(ticket.policy.calendar)!, events: ticket.events, now: NOW, arithmetic: references.get(ticket.policy.name) }),
  ),
);
const REPEAT = 50;
const fastRun = time(() => {
  let last: ReturnType<typeof computeSlaClocks>[] = [];
  for (let i = 0; i < REPEAT; i++) {
    last = sample.map((ticket) => computeSlaClocks({ policy: ticket.policy, calendar: config.calendars.get(ticket.policy.calendar)!, events: ticket.events, now: NOW }));
  }
  return last;
});
const identical = JSON.stringify(naiveRun.result) === JSON.stringify(fastRun.result);
const naivePerTicket = (naiveRun.ms * 1000) / sample.length;
const fastPerTicket = (fastRun.ms * 1000) / (sample.length * REPEAT);

// Calendar arithmetic alone, with large targets (up to a year of business time): week jumps at work.
const office = config.calendars.get('office-berlin')!;
const arithmeticRandom = seededRandom(7);
const starts = Array.from({ length: 20_000 }, () => new Date(NOW.getTime() - Math.floor(arithmeticRandom() * 365 * DAY)));
const targets = starts.map(() => Math.floor(arithmeticRandom() * 52 * office.weekMinutes));
const adds = time(() => starts.map((start, i) => addBusinessMinutes(office, start, targets[i])));
const betweens = time(() => starts.map((start, i) => businessMinutesBetween(office, start, adds.result[i])));
const inverseHolds = betweens.result.every((minutes, i) => minutes === targets[i]);

const peakRss = process.resourceUsage().maxRSS * 1024;
console.log(`SLA clocks bench — Node ${process.version}, now = ${NOW.toISOString()}`);
console.log(`tickets: ${TICKETS.toLocaleString('en')} open, ${eventCount.toLocaleString('en')} events (${(eventCount / TICKETS).toFixed(1)}/ticket), 2 calendars (${policies.map((policy) => policy.calendar).join(', ')}); generated in ${generated.ms.toFixed(0)} ms`);
console.log(`rebuild (clocks + next deadline), cold: ${cold.ms.toFixed(0)} ms total, ${((cold.ms * 1000) / TICKETS).toFixed(1)} µs/ticket`);
console.log(`rebuild (clocks + next deadline), warm: ${warm.ms.toFixed(0)} ms total, ${((warm.ms * 1000) / TICKETS).toFixed(1)} µs/ticket`);
console.log(
  `timers to set: ${withTimer.toLocaleString('en')} (the rest are paused or past every deadline); paused tickets: ${cold.result.paused.toLocaleString('en')}; breaches so far: ${cold.result.breaches.toLocaleString('en')}`,
);
console.log(`memory: heap used ${mib(before.heapUsed)} → ${mib(after.heapUsed)} (tickets + one timer per ticket), rss ${mib(after.rss)}, peak rss ${mib(peakRss)}`);
console.log(`naive minute-by-minute arithmetic on ${sample.length} tickets: ${naivePerTicket.toFixed(0)} µs/ticket; fast on the same tickets: ${fastPerTicket.toFixed(1)} µs/ticket (×${REPEAT} runs)`);
console.log(`speed-up: ×${(naivePerTicket / fastPerTicket).toFixed(0)}; identical results: ${identical ? 'yes' : 'NO'}`);
console.log(
  `office-berlin arithmetic, targets up to 52 weeks: addBusinessMinutes ${((adds.ms * 1000) / starts.length).toFixed(1)} µs/op, businessMinutesBetween ${((betweens.ms * 1000) / starts.length).toFixed(1)} µs/op (${starts.length.toLocaleString('en')} each; inverse holds: ${inverseHolds ? 'yes' : 'NO'})`,
);
console.log(`naive would need ~${((naivePerTicket * TICKETS) / 1e6 / 60).toFixed(1)} min for all ${TICKETS.toLocaleString('en')} tickets`);
