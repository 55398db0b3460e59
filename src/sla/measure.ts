/**
 * Response-time statistics for reports (pure): the numbers Nikon measured (average e-mail response
 * time), plus median and p90 because an average hides the customers who waited longest.
 *
 * Definitions
 * - A sample is one response: the business minutes and the wall-clock minutes from the clock's start
 *   (the customer's message) to the response, and whether it missed its target.
 * - average: arithmetic mean. median: the middle value, or the mean of the two middle values.
 *   p90: nearest rank, the smallest sample such that at least 90% of samples are at or below it (an
 *   observed value: "90% of customers had an answer within X").
 * - withinSla: share of samples *with a target* that met it; samples without a target are counted in
 *   `count` and the time statistics only.
 * Unanswered tickets are not samples (they have no response time yet); report them as backlog.
 */
import type { SlaClock } from './compute-clocks.js';
import { MINUTE_MS } from './zone-timeline.js';

export type ResponseTimeSample = {
  /** business minutes from the customer's message to the response */
  businessMinutes: number;
  /** wall-clock minutes from the customer's message to the response */
  wallMinutes: number;
  /** true when the response missed its target; null when there was no target */
  breached: boolean | null;
};

export type DistributionSummary = {
  average: number | null;
  median: number | null;
  p90: number | null;
  min: number | null;
  max: number | null;
};

export type ResponseTimeSummary = {
  count: number;
  business: DistributionSummary;
  wall: DistributionSummary;
  /** samples that had a target */
  withTarget: number;
  /** share (0..1) of samples with a target that met it; null when none had a target */
  withinSla: number | null;
  breaches: number;
};

/** Nearest-rank percentile (0 < p <= 1) of ascending values; null when empty. */
export const percentile = (ascending: readonly number[], p: number): number | null => {
  if (ascending.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * ascending.length));
  return ascending[Math.min(rank, ascending.length) - 1];
};

/** average, median, p90, min and max of values (in any order). */
export const summarizeDistribution = (values: readonly number[]): DistributionSummary => {
  if (values.length === 0) return { average: null, median: null, p90: null, min: null, max: null };
  const ascending = [...values].sort((a, b) => a - b);
  const middle = Math.floor(ascending.length / 2);
  const median = ascending.length % 2 === 1 ? ascending[middle] : (ascending[middle - 1] + ascending[middle]) / 2;
  let sum = 0;
  for (const value of ascending) sum += value;
  return { average: sum / ascending.length, median, p90: percentile(ascending, 0.9), min: ascending[0], max: ascending[ascending.length - 1] };
};

/** Count, average, median and p90 (business and wall clock), share within SLA and breaches. */
export const summarizeResponseTimes = (samples: readonly ResponseTimeSample[]): ResponseTimeSummary => {
  let withTarget = 0;
  let breaches = 0;
  for (const sample of samples) {
    if (sample.breached === null) continue;
    withTarget++;
    if (sample.breached) breaches++;
  }
  return {
    count: samples.length,
    business: summarizeDistribution(samples.map((sample) => sample.businessMinutes)),
    wall: summarizeDistribution(samples.map((sample) => sample.wallMinutes)),
    withTarget,
    withinSla: withTarget === 0 ? null : (withTarget - breaches) / withTarget,
    breaches,
  };
};

/** Name of the group of samples whose key is null (no queue, no category, …). */
export const UNGROUPED_KEY = '(none)';

/**
 * Summaries per group (queue, category, agent, channel, day, …), sorted by key. A null key is grouped
 * as `(none)`.
 */
export const groupResponseTimes = <T extends ResponseTimeSample>(
  samples: readonly T[],
  keyOf: (sample: T) => string | null,
): Array<{ key: string; summary: ResponseTimeSummary }> => {
  const groups = new Map<string, T[]>();
  for (const sample of samples) {
    const key = keyOf(sample) ?? UNGROUPED_KEY;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [sample]);
    else group.push(sample);
  }
  return [...groups.keys()].sort().map((key) => ({ key, summary: summarizeResponseTimes(groups.get(key)!) }));
};

/**
 * The sample of a response clock (first or next response) that was stopped by a reply (or by an
 * auto-reply where the policy counts those); null for a clock that is still running, paused, not
 * started, or was stopped by resolving without a reply.
 */
export const responseTimeSample = (clock: SlaClock): ResponseTimeSample | null => {
  if (clock.state !== 'stopped' || clock.startedAt === null || clock.stoppedAt === null) return null;
  if (clock.stopReason !== 'reply' && clock.stopReason !== 'auto_reply') return null;
  return {
    businessMinutes: clock.elapsedBusinessMinutes,
    wallMinutes: (clock.stoppedAt.getTime() - clock.startedAt.getTime()) / MINUTE_MS,
    breached: clock.targetMinutes === null ? null : clock.breached,
  };
};
