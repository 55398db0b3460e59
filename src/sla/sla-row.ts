/**
 * Clocks → the stored `ticket_sla` row (pure): per clock its state, start, stop, warning and due
 * instants and whether it breached; the ticket's overall SLA state; the earliest due instant of a
 * running clock; and the detail (every clock, next-response cycles included) shown by the API.
 */
import type { SlaClock, SlaClocks } from './compute-clocks.js';
import type { SlaPolicyTrace } from './policy.js';
import type { SlaState } from '../db/schema/sla.js';

/**
 * The ticket's SLA state, in this order: resolved; paused (waiting on the customer: nothing to do now,
 * whatever was missed before); breached or warning (a *running* clock passed its due or warning
 * instant: a clock that stopped late is history, not a current risk); on_track (a running clock has a
 * target); none (nothing is promised right now).
 */
export const slaStateOf = (clocks: SlaClocks): SlaState => {
  if (clocks.resolved) return 'resolved';
  if (clocks.paused) return 'paused';
  const running = [clocks.firstResponse, clocks.nextResponse, clocks.resolution].filter((clock) => clock.state === 'running');
  if (running.some((clock) => clock.breached)) return 'breached';
  if (running.some((clock) => clock.warnedAt !== null)) return 'warning';
  if (running.some((clock) => clock.targetMinutes !== null)) return 'on_track';
  return 'none';
};

/** The earliest due instant among running clocks (passed or not): the order tickets should be worked in. */
export const earliestDueAt = (clocks: SlaClocks): Date | null => {
  let earliest: Date | null = null;
  for (const clock of [clocks.firstResponse, clocks.nextResponse, clocks.resolution]) {
    if (clock.state !== 'running' || clock.dueAt === null) continue;
    if (earliest === null || clock.dueAt < earliest) earliest = clock.dueAt;
  }
  return earliest;
};

/** A clock as the API shows it (instants as ISO strings). */
export type SlaClockView = {
  kind: string;
  cycle: number;
  state: string;
  targetMinutes: number | null;
  startedAt: string | null;
  stoppedAt: string | null;
  stopReason: string | null;
  elapsedBusinessMinutes: number;
  remainingBusinessMinutes: number | null;
  warnAt: string | null;
  dueAt: string | null;
  warnedAt: string | null;
  breached: boolean;
  breachedAt: string | null;
};

const iso = (at: Date | null): string | null => (at === null ? null : at.toISOString());

export const clockView = (clock: SlaClock): SlaClockView => ({
  kind: clock.kind,
  cycle: clock.cycle,
  state: clock.state,
  targetMinutes: clock.targetMinutes,
  startedAt: iso(clock.startedAt),
  stoppedAt: iso(clock.stoppedAt),
  stopReason: clock.stopReason,
  elapsedBusinessMinutes: round(clock.elapsedBusinessMinutes),
  remainingBusinessMinutes: clock.remainingBusinessMinutes === null ? null : round(clock.remainingBusinessMinutes),
  warnAt: iso(clock.warnAt),
  dueAt: iso(clock.dueAt),
  warnedAt: iso(clock.warnedAt),
  breached: clock.breached,
  breachedAt: iso(clock.breachedAt),
});

/** Minutes to the millisecond's worth of precision that is worth showing. */
const round = (minutes: number): number => Math.round(minutes * 1000) / 1000;

/** `ticket_sla.detail`: the policy choice and every clock as of the computation. */
export type SlaRowDetail = {
  policySelection: Pick<SlaPolicyTrace, 'reason' | 'summary' | 'ruleChosenPolicy' | 'ruleChosenPolicyUnknown'>;
  paused: boolean;
  resolved: boolean;
  firstResponse: SlaClockView;
  nextResponse: SlaClockView;
  resolution: SlaClockView;
  nextResponseCycles: SlaClockView[];
};

export type SlaRowValues = {
  state: SlaState;
  dueAt: Date | null;
  firstResponseState: string;
  firstResponseStartedAt: Date | null;
  firstResponseStoppedAt: Date | null;
  firstResponseStopReason: string | null;
  firstResponseTargetMinutes: number | null;
  firstResponseBusinessMinutes: number;
  firstResponseWarnAt: Date | null;
  firstResponseDueAt: Date | null;
  firstResponseBreached: boolean;
  nextResponseCycle: number;
  nextResponseState: string;
  nextResponseWarnAt: Date | null;
  nextResponseDueAt: Date | null;
  nextResponseBreached: boolean;
  resolutionState: string;
  resolutionStartedAt: Date | null;
  resolutionStoppedAt: Date | null;
  resolutionTargetMinutes: number | null;
  resolutionBusinessMinutes: number;
  resolutionWarnAt: Date | null;
  resolutionDueAt: Date | null;
  resolutionBreached: boolean;
  detail: SlaRowDetail;
};

/** The columns of a `ticket_sla` row that follow from the clocks. */
export const slaRowValues = (clocks: SlaClocks, selection: SlaRowDetail['policySelection']): SlaRowValues => {
  const { firstResponse: first, nextResponse: next, resolution } = clocks;
  return {
    state: slaStateOf(clocks),
    dueAt: earliestDueAt(clocks),
    firstResponseState: first.state,
    firstResponseStartedAt: first.startedAt,
    firstResponseStoppedAt: first.stoppedAt,
    firstResponseStopReason: first.stopReason,
    firstResponseTargetMinutes: first.targetMinutes,
    firstResponseBusinessMinutes: first.elapsedBusinessMinutes,
    firstResponseWarnAt: first.warnAt,
    firstResponseDueAt: first.dueAt,
    firstResponseBreached: first.breached,
    nextResponseCycle: next.cycle,
    nextResponseState: next.state,
    nextResponseWarnAt: next.warnAt,
    nextResponseDueAt: next.dueAt,
    nextResponseBreached: next.breached,
    resolutionState: resolution.state,
    resolutionStartedAt: resolution.startedAt,
    resolutionStoppedAt: resolution.stoppedAt,
    resolutionTargetMinutes: resolution.targetMinutes,
    resolutionBusinessMinutes: resolution.elapsedBusinessMinutes,
    resolutionWarnAt: resolution.warnAt,
    resolutionDueAt: resolution.dueAt,
    resolutionBreached: resolution.breached,
    detail: {
      policySelection: selection,
      paused: clocks.paused,
      resolved: clocks.resolved,
      firstResponse: clockView(first),
      nextResponse: clockView(next),
      resolution: clockView(resolution),
      nextResponseCycles: clocks.nextResponseCycles.map(clockView),
    },
  };
};
