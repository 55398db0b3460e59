/**
 * The SLA clocks of one ticket as a pure function of its timeline: replay the events in time order
 * through a small state machine per clock, measuring business time on the policy's calendar.
 *
 * Clocks and their rules
 *   first_response  starts at the first customer message (the instant it was accepted); stops at the
 *                   first agent reply. An auto-reply stops it only when the policy says so
 *                   (`autoReplyStopsFirstResponse`, default false: an acknowledgement is not an answer,
 *                   and counting it would make the metric measure the mail server, not the team).
 *                   Never restarts.
 *   next_response   a new cycle starts at a customer message that arrives when the customer is not
 *                   already waiting (first response done, no next-response cycle running); the cycle
 *                   stops at the next reply. Follow-up messages while a cycle runs do not restart it.
 *   resolution      starts with first_response; stops on `resolved`; on `reopened` it continues from
 *                   the business time already used (it is not reset, so a ticket cannot escape its
 *                   resolution promise by being closed and reopened).
 *   All clocks pause while the ticket's status is one of the policy's `pauseStatuses` (waiting on the
 *   customer) and resume when it leaves them: paused time is not counted, so due times move later by
 *   the business time spent paused. `resolved` stops first and next response too (nothing is owed on a
 *   resolved ticket). While resolved, customer messages are ignored: the ticket lifecycle decides
 *   whether a reply reopens the ticket and records `reopened` (before the message, or at the same
 *   instant earlier in the list).
 *
 * Thresholds
 *   For a running segment that started at s with E business ms already used, the instant a threshold T
 *   is reached is `addBusinessMs(s, T - E)` (the earliest instant with that much business time). A
 *   warning is at T = warnAt × target, a breach at T = target. A clock stopped or paused exactly at a
 *   threshold has not crossed it (a reply at the due instant is on time); a clock still running at
 *   `now` has crossed it when the instant is <= now (the timer fired).
 *
 * Replay order: events sorted by `at` (stable: equal instants keep their input order); events after
 * `now` are ignored. `policy_changed` is a marker only: the whole timeline is evaluated under the policy
 * passed in (so a change recomputes every due time from the ticket's start, as if the new policy had
 * always applied); it is reported as `lastPolicyChangeAt`. Warnings and breaches already recorded under
 * the old policy stay recorded (their keys are the same, so they are not recorded twice).
 */
import { addBusinessMs, businessMsBetween, type BusinessCalendar } from './calendar.js';
import type { SlaClockKind, SlaPolicy } from './policy.js';
import { MINUTE_MS } from './zone-timeline.js';

/** What happened on a ticket, as far as SLA clocks care. */
export type SlaTimelineEvent =
  | { type: 'customer_message'; at: Date }
  | { type: 'agent_reply'; at: Date }
  | { type: 'auto_reply'; at: Date }
  | { type: 'status_changed'; at: Date; from: string | null; to: string }
  | { type: 'resolved'; at: Date }
  | { type: 'reopened'; at: Date }
  | { type: 'policy_changed'; at: Date; from?: string | null; to?: string | null };

export type SlaClockState = 'not_started' | 'running' | 'paused' | 'stopped';
export type SlaStopReason = 'reply' | 'auto_reply' | 'resolved';
export type SlaThresholdKind = 'warning' | 'breach';

/** One clock at `now`. Instants are Dates; business durations are minutes (fractional when not whole). */
export type SlaClock = {
  kind: SlaClockKind;
  /** 0 for first_response and resolution; 1, 2, … for next-response cycles (0 = no cycle yet) */
  cycle: number;
  state: SlaClockState;
  /** business minutes promised; null when the policy sets no target for this clock */
  targetMinutes: number | null;
  startedAt: Date | null;
  stoppedAt: Date | null;
  stopReason: SlaStopReason | null;
  /** business minutes counted so far (up to `now`, or up to the stop) */
  elapsedBusinessMinutes: number;
  /** target minus elapsed; negative after a breach; null without a target */
  remainingBusinessMinutes: number | null;
  /**
   * The warning instant: running → when it is (or was) reached if the clock keeps running; stopped →
   * as it stood when the clock stopped; paused → the past instant if already reached, else null (it
   * moves while paused).
   */
  warnAt: Date | null;
  /** The due instant, with the same rules as `warnAt`. */
  dueAt: Date | null;
  /** when the warning threshold was crossed, if it was */
  warnedAt: Date | null;
  breached: boolean;
  /** when the target was crossed (= the due instant that was missed), if it was */
  breachedAt: Date | null;
};

/** A warning or breach, with a key that is stable across recomputations (record each key once). */
export type SlaCrossing = {
  /** `${clock}:${cycle}:${kind}`, e.g. `first_response:0:breach`, `next_response:2:warning` */
  key: string;
  clock: SlaClockKind;
  cycle: number;
  kind: SlaThresholdKind;
  at: Date;
};

export type SlaClocks = {
  now: Date;
  /** the ticket's status is one of the policy's pause statuses */
  paused: boolean;
  resolved: boolean;
  firstResponse: SlaClock;
  /** the current or latest next-response cycle (cycle 0, not_started, when there was none) */
  nextResponse: SlaClock;
  resolution: SlaClock;
  /** every next-response cycle in order (empty when there was none) */
  nextResponseCycles: SlaClock[];
  /** warnings and breaches reached at or before `now`, in time order */
  crossings: SlaCrossing[];
  lastPolicyChangeAt: Date | null;
};

/** The parts of a policy the clocks use. */
export type SlaClockPolicy = Pick<SlaPolicy, 'targets' | 'warnAt' | 'pauseStatuses' | 'autoReplyStopsFirstResponse'>;

/** Business-time arithmetic on epoch milliseconds; the calendar's own unless replaced (benchmarks). */
export type SlaArithmetic = {
  add: (startMs: number, businessMs: number) => number;
  between: (fromMs: number, toMs: number) => number;
};

export type ComputeSlaClocksOptions = {
  policy: SlaClockPolicy;
  calendar: BusinessCalendar;
  events: readonly SlaTimelineEvent[];
  now: Date;
  /** replaces the calendar arithmetic, e.g. with a reference implementation in a benchmark */
  arithmetic?: SlaArithmetic;
};

/** The state machine of one clock (one cycle), on epoch milliseconds. */
class ClockRun {
  state: SlaClockState = 'not_started';
  startedAt: number | null = null;
  stoppedAt: number | null = null;
  stopReason: SlaStopReason | null = null;
  /** business ms in closed segments */
  elapsedMs = 0;
  /** start of the open segment while running */
  segmentStart: number | null = null;
  warnedAt: number | null = null;
  breachedAt: number | null = null;
  /** due/warn instants as they stood when the clock last stopped */
  stoppedDueAt: number | null = null;
  stoppedWarnAt: number | null = null;
  private readonly warnMs: number | null;
  private readonly targetMs: number | null;

  constructor(
    readonly kind: SlaClockKind,
    readonly cycle: number,
    targetMinutes: number | null,
    warnShare: number,
    private readonly math: SlaArithmetic,
  ) {
    this.targetMs = targetMinutes === null ? null : Math.round(targetMinutes * MINUTE_MS);
    this.warnMs = this.targetMs === null ? null : Math.round(this.targetMs * warnShare);
  }

  get active(): boolean {
    return this.state === 'running' || this.state === 'paused';
  }

  start(t: number, paused: boolean): void {
    this.startedAt = t;
    this.state = paused ? 'paused' : 'running';
    this.segmentStart = paused ? null : t;
  }

  pause(t: number): void {
    if (this.state !== 'running') return;
    this.closeSegment(t);
    this.state = 'paused';
  }

  resume(t: number): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.segmentStart = t;
  }

  stop(t: number, reason: SlaStopReason): void {
    if (!this.active) return;
    if (this.state === 'running') {
      const segmentStart = this.segmentStart!;
      const usedBefore = this.elapsedMs;
      this.closeSegment(t);
      this.stoppedDueAt = this.projection(this.targetMs, this.breachedAt, segmentStart, usedBefore);
      this.stoppedWarnAt = this.projection(this.warnMs, this.warnedAt, segmentStart, usedBefore);
    } else {
      this.stoppedDueAt = this.breachedAt;
      this.stoppedWarnAt = this.warnedAt;
    }
    this.state = 'stopped';
    this.stoppedAt = t;
    this.stopReason = reason;
  }

  /** Continue a stopped clock (resolution on reopen) with the business time already used. */
  reopen(t: number, paused: boolean): void {
    if (this.state !== 'stopped') return;
    this.state = paused ? 'paused' : 'running';
    this.segmentStart = paused ? null : t;
    this.stoppedAt = null;
    this.stopReason = null;
    this.stoppedDueAt = null;
    this.stoppedWarnAt = null;
  }

  /** The clock at `now` (after all events up to `now` were applied). */
  snapshot(now: number): SlaClock {
    let elapsedMs = this.elapsedMs;
    let warnAt: number | null;
    let dueAt: number | null;
    if (this.state === 'running') {
      const segmentStart = this.segmentStart!;
      const segmentMs = this.math.between(segmentStart, now);
      this.detectCrossings(segmentStart, now, segmentMs, true);
      elapsedMs += segmentMs;
      warnAt = this.projection(this.warnMs, this.warnedAt, segmentStart, this.elapsedMs);
      dueAt = this.projection(this.targetMs, this.breachedAt, segmentStart, this.elapsedMs);
    } else if (this.state === 'stopped') {
      warnAt = this.stoppedWarnAt;
      dueAt = this.stoppedDueAt;
    } else {
      warnAt = this.warnedAt;
      dueAt = this.breachedAt;
    }
    return {
      kind: this.kind,
      cycle: this.cycle,
      state: this.state,
      targetMinutes: this.targetMs === null ? null : this.targetMs / MINUTE_MS,
      startedAt: toDate(this.startedAt),
      stoppedAt: toDate(this.stoppedAt),
      stopReason: this.stopReason,
      elapsedBusinessMinutes: elapsedMs / MINUTE_MS,
      remainingBusinessMinutes: this.targetMs === null ? null : (this.targetMs - elapsedMs) / MINUTE_MS,
      warnAt: toDate(warnAt),
      dueAt: toDate(dueAt),
      warnedAt: toDate(this.warnedAt),
      breached: this.breachedAt !== null,
      breachedAt: toDate(this.breachedAt),
    };
  }

  /** Appends this clock's crossings (warning, then breach) to `into`. */
  collectCrossings(into: SlaCrossing[]): void {
    if (this.warnedAt !== null) into.push(crossingOf(this.kind, this.cycle, 'warning', this.warnedAt));
    if (this.breachedAt !== null) into.push(crossingOf(this.kind, this.cycle, 'breach', this.breachedAt));
  }

  private closeSegment(end: number): void {
    const segmentStart = this.segmentStart!;
    const segmentMs = this.math.between(segmentStart, end);
    this.detectCrossings(segmentStart, end, segmentMs, false);
    this.elapsedMs += segmentMs;
    this.segmentStart = null;
  }

  /** Records thresholds crossed in a segment: before `end`, or at it too when `inclusive`. */
  private detectCrossings(segmentStart: number, end: number, segmentMs: number, inclusive: boolean): void {
    if (this.warnedAt === null) this.warnedAt = this.crossing(this.warnMs, segmentStart, end, segmentMs, inclusive);
    if (this.breachedAt === null) this.breachedAt = this.crossing(this.targetMs, segmentStart, end, segmentMs, inclusive);
  }

  private crossing(threshold: number | null, segmentStart: number, end: number, segmentMs: number, inclusive: boolean): number | null {
    if (threshold === null || this.elapsedMs + segmentMs < threshold) return null;
    const at = this.math.add(segmentStart, Math.max(0, threshold - this.elapsedMs));
    return at < end || (inclusive && at <= end) ? at : null;
  }

  /** When `threshold` is (or was) reached, running from `segmentStart` with `usedBefore` already used. */
  private projection(threshold: number | null, crossedAt: number | null, segmentStart: number, usedBefore: number): number | null {
    if (crossedAt !== null) return crossedAt;
    if (threshold === null) return null;
    return this.math.add(segmentStart, Math.max(0, threshold - usedBefore));
  }
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

const crossingOf = (clock: SlaClockKind, cycle: number, kind: SlaThresholdKind, at: number | Date): SlaCrossing => ({
  key: `${clock}:${cycle}:${kind}`,
  clock,
  cycle,
  kind,
  at: new Date(at),
});

/** One arithmetic object per calendar, so computing clocks allocates no closures for it. */
const calendarArithmetic = new WeakMap<BusinessCalendar, SlaArithmetic>();
const arithmeticOf = (calendar: BusinessCalendar): SlaArithmetic => {
  let math = calendarArithmetic.get(calendar);
  if (math === undefined) {
    math = {
      add: (startMs, businessMs) => addBusinessMs(calendar, startMs, businessMs),
      between: (fromMs, toMs) => businessMsBetween(calendar, fromMs, toMs),
    };
    calendarArithmetic.set(calendar, math);
  }
  return math;
};

/** Applies `change` to the clocks that are running or paused. */
const forActive = (clocks: readonly ClockRun[], change: (clock: ClockRun) => void): void => {
  for (const clock of clocks) if (clock.active) change(clock);
};

const instant = (event: SlaTimelineEvent): number => {
  const ms = event.at instanceof Date ? event.at.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`SLA timeline event "${event.type}" has an invalid "at"`);
  return ms;
};

/**
 * Computes a ticket's SLA clocks at `now` from its timeline (pure: same input, same output). See the
 * header for the rules. Cost: a few calendar operations per event; no iteration over time.
 * @throws RangeError when `now` or an event's `at` is not a valid Date
 */
export const computeSlaClocks = ({ policy, calendar, events, now, arithmetic }: ComputeSlaClocksOptions): SlaClocks => {
  const nowMs = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(nowMs)) throw new RangeError('now must be a valid Date');
  const math = arithmetic ?? arithmeticOf(calendar);
  const pauseStatuses = policy.pauseStatuses;
  const first = new ClockRun('first_response', 0, policy.targets.first_response, policy.warnAt, math);
  const resolution = new ClockRun('resolution', 0, policy.targets.resolution, policy.warnAt, math);
  const cycles: ClockRun[] = [];
  let waiting = false;
  let resolved = false;
  let lastPolicyChangeAt: number | null = null;

  const timeline = events.map((event) => ({ event, at: instant(event) })).filter((entry) => entry.at <= nowMs);
  timeline.sort((a, b) => a.at - b.at);

  /** first response, resolution and the latest next-response cycle: the clocks events act on */
  const clocks: ClockRun[] = [first, resolution];
  const respond = (t: number, reason: SlaStopReason): void => {
    const current = cycles[cycles.length - 1];
    if (first.active) first.stop(t, reason);
    else if (current?.active) current.stop(t, reason);
  };

  for (const { event, at } of timeline) {
    switch (event.type) {
      case 'customer_message': {
        if (resolved) break;
        if (first.state === 'not_started') {
          first.start(at, waiting);
          resolution.start(at, waiting);
        } else if (!first.active && !(cycles[cycles.length - 1]?.active ?? false)) {
          const cycle = new ClockRun('next_response', cycles.length + 1, policy.targets.next_response, policy.warnAt, math);
          cycle.start(at, waiting);
          cycles.push(cycle);
          clocks[2] = cycle;
        }
        break;
      }
      case 'agent_reply':
        respond(at, 'reply');
        break;
      case 'auto_reply':
        if (policy.autoReplyStopsFirstResponse) respond(at, 'auto_reply');
        break;
      case 'status_changed': {
        const nowWaiting = pauseStatuses.includes(event.to);
        if (nowWaiting && !waiting) forActive(clocks, (clock) => clock.pause(at));
        if (!nowWaiting && waiting) forActive(clocks, (clock) => clock.resume(at));
        waiting = nowWaiting;
        break;
      }
      case 'resolved':
        if (resolved) break;
        resolved = true;
        forActive(clocks, (clock) => clock.stop(at, 'resolved'));
        break;
      case 'reopened':
        if (!resolved) break;
        resolved = false;
        resolution.reopen(at, waiting);
        break;
      case 'policy_changed':
        lastPolicyChangeAt = at;
        break;
    }
  }

  const firstResponse = first.snapshot(nowMs);
  const resolutionClock = resolution.snapshot(nowMs);
  const nextResponseCycles = cycles.map((cycle) => cycle.snapshot(nowMs));
  const nextResponse =
    nextResponseCycles[nextResponseCycles.length - 1] ?? new ClockRun('next_response', 0, policy.targets.next_response, policy.warnAt, math).snapshot(nowMs);
  const crossings: SlaCrossing[] = [];
  for (const clock of [first, resolution, ...cycles]) clock.collectCrossings(crossings);
  crossings.sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    now: new Date(nowMs),
    paused: waiting,
    resolved,
    firstResponse,
    nextResponse,
    resolution: resolutionClock,
    nextResponseCycles,
    crossings,
    lastPolicyChangeAt: lastPolicyChangeAt === null ? null : new Date(lastPolicyChangeAt),
  };
};

/** An upcoming warning or breach of a running clock: what a scheduler sets a timer for. */
export type SlaDeadline = SlaCrossing;

/**
 * The warnings and breaches still ahead of the running clocks, earliest first, and the earliest one
 * (`next`): a scheduler keeps one timer per ticket at `next.at`, and when it fires recomputes the clocks
 * at that instant, records the new `crossings` by key (each key once), and sets the timer again.
 * Paused and stopped clocks have no deadlines (a pause moves them; resuming recomputes them).
 */
export const nextSlaDeadlines = (clocks: SlaClocks): { next: SlaDeadline | null; deadlines: SlaDeadline[] } => {
  const deadlines: SlaDeadline[] = [];
  for (const clock of [clocks.firstResponse, clocks.nextResponse, clocks.resolution]) {
    if (clock.state !== 'running') continue;
    if (clock.warnAt !== null && clock.warnedAt === null) deadlines.push(crossingOf(clock.kind, clock.cycle, 'warning', clock.warnAt));
    if (clock.dueAt !== null && !clock.breached) deadlines.push(crossingOf(clock.kind, clock.cycle, 'breach', clock.dueAt));
  }
  deadlines.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.kind === b.kind ? 0 : a.kind === 'warning' ? -1 : 1));
  return { next: deadlines[0] ?? null, deadlines };
};
