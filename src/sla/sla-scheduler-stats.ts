/**
 * What this process's SLA scheduler has done, for /health and /metrics: timer jobs run (and how many
 * were stale), warnings and breaches recorded, and how late each was recorded after its instant.
 * In-memory and per process; the database holds the durable record (`sla_crossings`).
 */
import { percentile } from './measure.js';

/** Lateness samples kept for the percentiles (the most recent ones). */
export const LATENESS_SAMPLES = 1000;

export type SlaSchedulerStats = {
  startedAt: Date;
  fires: number;
  staleFires: number;
  sweeps: number;
  /** timers the sweep ran because their job had not (overdue by more than OVERDUE_GRACE_MS) */
  sweptOverdue: number;
  /** tickets the sweep recomputed because their row was missing or from another configuration */
  sweptStale: number;
  recorded: { warning: number; breach: number };
  lastFireAt: Date | null;
  lastRecordedAt: Date | null;
  rebuild: { at: Date; timers: number; ms: number } | null;
  /** most recent lateness values (recorded − due), ms */
  lateness: number[];
  latenessMax: number;
};

export const createSlaSchedulerStats = (now: Date): SlaSchedulerStats => ({
  startedAt: now, fires: 0, staleFires: 0, sweeps: 0, sweptOverdue: 0, sweptStale: 0,
  recorded: { warning: 0, breach: 0 }, lastFireAt: null, lastRecordedAt: null, rebuild: null, lateness: [], latenessMax: 0,
});

/** Notes one recorded crossing. */
export const noteRecorded = (stats: SlaSchedulerStats, kind: 'warning' | 'breach', latenessMs: number, at: Date): void => {
  stats.recorded[kind]++;
  stats.lastRecordedAt = at;
  stats.lateness.push(latenessMs);
  if (stats.lateness.length > LATENESS_SAMPLES) stats.lateness.splice(0, stats.lateness.length - LATENESS_SAMPLES);
  stats.latenessMax = Math.max(stats.latenessMax, latenessMs);
};

/** p50, p99 and max lateness (ms) of the recent samples; nulls when there are none. */
export const latenessSummary = (stats: SlaSchedulerStats): { samples: number; p50: number | null; p99: number | null; max: number | null } => {
  const ascending = [...stats.lateness].sort((a, b) => a - b);
  return { samples: ascending.length, p50: percentile(ascending, 0.5), p99: percentile(ascending, 0.99), max: ascending.length ? stats.latenessMax : null };
};
