/**
 * A ticket's SLA as the API shows it: policy (and why), state, each clock with its warning and due
 * instants, the next timer, and every warning and breach recorded with what the rules did about it.
 */
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { slaCrossings, ticketSla } from '../db/schema/index.js';
import type { SlaRowDetail } from './sla-row.js';

export type TicketSlaView = {
  policy: string;
  policyReason: string;
  policySummary: string | null;
  calendar: string;
  state: string;
  /** earliest due instant of a running clock */
  dueAt: string | null;
  paused: boolean;
  clocks: Pick<SlaRowDetail, 'firstResponse' | 'nextResponse' | 'resolution'>;
  nextResponseCycles: SlaRowDetail['nextResponseCycles'];
  timer: { at: string; key: string | null } | null;
  crossings: Array<{ key: string; kind: string; clock: string; cycle: number; policy: string; at: string; recordedAt: string; outcome: Record<string, unknown> | null }>;
  computedAt: string;
};

/** The ticket's SLA, or null when it has none yet (no row: the SLA module has not seen the ticket). */
export const readTicketSla = ({ db, ticketId }: { db: Db; ticketId: number }): TicketSlaView | null => {
  const row = db.select().from(ticketSla).where(eq(ticketSla.ticketId, ticketId)).get();
  if (!row) return null;
  const detail = row.detail as unknown as SlaRowDetail;
  const crossings = db.select().from(slaCrossings).where(eq(slaCrossings.ticketId, ticketId)).orderBy(asc(slaCrossings.at), asc(slaCrossings.id)).all();
  return {
    policy: row.policy,
    policyReason: row.policyReason,
    policySummary: detail.policySelection?.summary ?? null,
    calendar: row.calendar,
    state: row.state,
    dueAt: row.dueAt?.toISOString() ?? null,
    paused: detail.paused,
    clocks: { firstResponse: detail.firstResponse, nextResponse: detail.nextResponse, resolution: detail.resolution },
    nextResponseCycles: detail.nextResponseCycles,
    timer: row.timerAt ? { at: row.timerAt.toISOString(), key: row.timerKey } : null,
    crossings: crossings.map((c) => ({
      key: c.key, kind: c.kind, clock: c.clock, cycle: c.cycle, policy: c.policy,
      at: c.at.toISOString(), recordedAt: c.recordedAt.toISOString(), outcome: c.outcome,
    })),
    computedAt: row.computedAt.toISOString(),
  };
};
